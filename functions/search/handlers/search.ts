import * as z from 'zod/mini';
import { SessionId } from '../../cart/schemas';
import { header, httpHandler, json, parse, query } from '../../shared/http';
import { liveSearchDeps } from '../deps';
import { searchProducts } from '../domain/search';
import type { SearchDeps } from '../ports';
import { SearchQuery } from '../schemas';

/** GET /v1/search: anyone; the shopper's session, when sent, names the clickstream event the search writes. */
export const makeHandler = (deps: SearchDeps) =>
  httpHandler(async (event) => {
    const input = parse(SearchQuery, query(event));
    const sessionId = header(event, 'x-session-id', z.optional(SessionId));
    return json(200, await searchProducts(input, deps, { sessionId }));
  });

export const handler = makeHandler(liveSearchDeps());
