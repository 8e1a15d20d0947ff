import { parseEnv } from '../shared/env';
import { QUERY_TUNING, SearchEnv } from './adapters/opensearch-connection';
import { OpenSearchProductSearch } from './adapters/opensearch-index';
import { openSearchTransport } from './adapters/opensearch-transport';
import type { SearchDeps } from './ports';

/**
 * The query routes' index: the client's transport alone, tuned to answer a shopper. GET /v1/search adds the
 * clickstream (./search-deps.ts); the index's writers (the indexer, the reindex) take the whole client
 * (./index-deps.ts). Each in its own module, so that a function's bundle loads no client it does not use.
 */
export const productSearch = () => new OpenSearchProductSearch(openSearchTransport(parseEnv(SearchEnv), QUERY_TUNING));

/** GET /v1/search/suggest: the index only. */
export const liveSuggestDeps = (): Pick<SearchDeps, 'products'> => ({ products: productSearch() });
