import * as z from 'zod/mini';
import { SessionId } from '../../cart/schemas';
import { header, httpHandler, json, parse, query } from '../../shared/http';
import type { BusinessMetrics } from '../../shared/metrics';
import { businessMetrics } from '../../shared/observability';
import { liveSearchDeps } from '../search-deps';
import { searchProducts } from '../domain/search';
import type { SearchDeps } from '../ports';
import { SearchQuery } from '../schemas';

/** GET /v1/search: anyone; the shopper's session, when sent, names the clickstream event the search writes. */
export const makeHandler = (deps: SearchDeps, metrics: BusinessMetrics = businessMetrics) =>
  httpHandler(async (event) => {
    const input = parse(SearchQuery, query(event));
    const sessionId = header(event, 'x-session-id', z.optional(SessionId));
    const results = await searchProducts(input, deps, { sessionId });
    metrics.record('searchQueries', 1);
    if (results.total === 0) metrics.record('zeroResultSearches', 1);
    return json(200, results);
  });

export const handler = makeHandler(liveSearchDeps());
