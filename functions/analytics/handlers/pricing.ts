import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { pricingSuggestion } from '../domain/pricing';
import { liveModelQueryDeps } from '../model-deps';
import { PricingQuery } from '../model-schemas';
import type { ModelQueryDeps } from '../ports';

/** GET /v1/analytics/pricing: admins only (prices are theirs to set); reads, never changes, a price. */
export const makeHandler = (deps: ModelQueryDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'admin');
    const input = parse(PricingQuery, query(event));
    return json(200, await pricingSuggestion(input, deps), { 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveModelQueryDeps());
