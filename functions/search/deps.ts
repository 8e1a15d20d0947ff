import * as z from 'zod/mini';
import { KinesisClickstream } from '../analytics/adapters/kinesis-clickstream';
import { DynamoProductRepository } from '../catalog/adapters/dynamo-products';
import { dynamoClient, dynamoDocumentClient } from '../shared/dynamo-client';
import { kinesisClient } from '../shared/kinesis-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { RepositoryCatalogProducts } from './adapters/catalog-products';
import { ClickstreamSearchEvents } from './adapters/clickstream-search-events';
import {
  openSearchClient,
  QUERY_TUNING,
  SearchEnv,
  WRITE_TUNING,
  type ClientTuning,
} from './adapters/opensearch-client';
import { OpenSearchProductIndex } from './adapters/opensearch-index';
import type { ReindexDeps, SearchDeps } from './ports';

/** The products index at the endpoint the environment names, through a client tuned for the caller. */
export const productIndex = (tuning: ClientTuning) =>
  new OpenSearchProductIndex(openSearchClient(parseEnv(SearchEnv), tuning));

/** GET /v1/search: the index, and the clickstream its `search` events go to (the writer alone, not analytics' deps). */
export function liveSearchDeps(): SearchDeps {
  const { CLICKSTREAM_STREAM } = parseEnv(z.object({ CLICKSTREAM_STREAM: z.string().check(z.minLength(1)) }));
  return {
    products: productIndex(QUERY_TUNING),
    // One attempt: a search does not wait on the clickstream (domain/search.ts), so retries would only come too late.
    events: new ClickstreamSearchEvents(
      new KinesisClickstream(kinesisClient(), CLICKSTREAM_STREAM, { maxAttempts: 1 }),
      systemClock,
    ),
    log: { warn: (message, details) => logger.warn(message, details) },
  };
}

/** GET /v1/search/suggest: the index only. */
export const liveSuggestDeps = (): Pick<SearchDeps, 'products'> => ({ products: productIndex(QUERY_TUNING) });

/** The indexer: writes, and the alias's migration on its first batch. */
export const liveIndexerDeps = () => ({ index: productIndex(WRITE_TUNING) });

/** The reindex: the index and its alias, and the catalog's products from the products table. */
export function liveReindexDeps(): ReindexDeps {
  const { PRODUCTS_TABLE } = parseEnv(z.object({ PRODUCTS_TABLE: z.string().check(z.minLength(1)) }));
  return {
    index: productIndex(WRITE_TUNING),
    catalog: new RepositoryCatalogProducts(
      new DynamoProductRepository(dynamoDocumentClient(), PRODUCTS_TABLE),
      dynamoClient(),
      PRODUCTS_TABLE,
    ),
    clock: systemClock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
