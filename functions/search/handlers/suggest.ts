import { httpHandler, json, parse, query } from '../../shared/http';
import { liveSuggestDeps } from '../deps';
import { suggestProducts } from '../domain/search';
import type { SearchDeps } from '../ports';
import { SuggestQuery } from '../schemas';

/** GET /v1/search/suggest: anyone; product names completing what was typed. */
export const makeHandler = (deps: Pick<SearchDeps, 'products'>) =>
  httpHandler(async (event) => {
    const input = parse(SuggestQuery, query(event));
    return json(200, await suggestProducts(input, deps));
  });

export const handler = makeHandler(liveSuggestDeps());
