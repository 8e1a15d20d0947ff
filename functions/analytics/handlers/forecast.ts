import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { productForecast } from '../domain/forecast';
import { liveModelQueryDeps } from '../model-deps';
import { ForecastQuery } from '../model-schemas';
import type { ModelQueryDeps } from '../ports';

/** GET /v1/analytics/forecast: analysts and admins. */
export const makeHandler = (deps: ModelQueryDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'analyst', 'admin');
    const input = parse(ForecastQuery, query(event));
    return json(200, await productForecast(input, deps), { 'cache-control': 'private, no-store' });
  });

export const handler = makeHandler(liveModelQueryDeps());
