import { callerOf } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { recommend } from '../domain/recommendations';
import { liveRecommendationsDeps } from '../deps';
import type { RecommendationsDeps } from '../ports';
import { RecommendationsQuery } from '../schemas';

export const makeHandler = (deps: RecommendationsDeps) =>
  httpHandler(async (event) => {
    const { productId, limit } = parse(RecommendationsQuery, query(event));
    const result = await recommend({ userId: callerOf(event)?.userId, productId, limit }, deps);
    // Personal answers must not be cached by anything between the shopper and the API.
    return json(200, result, { 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveRecommendationsDeps());
