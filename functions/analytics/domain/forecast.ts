import { notFound } from '../../shared/errors';
import type { ModelQueryDeps } from '../ports';
import type { Forecast, ForecastQuery } from '../model-schemas';
import { fromModel } from './model-errors';

/**
 * One product's weekly forecast with its p10-p90 band and the weeks of history before the model's cut. A product
 * the catalog does not have is a 404; one it has but the model never saw sold answers `forecast: no-sales-history`
 * with no weeks, rather than a forecast of zero that nobody measured.
 */
export async function productForecast(query: ForecastQuery, deps: ModelQueryDeps): Promise<Forecast> {
  const product = await deps.catalog.get(query.productId);
  if (!product) throw notFound('Product');
  const answer = await fromModel('forecast', () => deps.model.forecast([query.productId], query.weeks), deps);
  const item = answer.items.find((i) => i.productId === query.productId);
  if (!item)
    return {
      productId: product.id,
      name: product.name,
      asOf: answer.asOf,
      forecast: 'no-sales-history',
      weeks: [],
      history: [],
    };
  return {
    productId: product.id,
    name: product.name,
    asOf: answer.asOf,
    forecast: 'forecast',
    weeks: item.weeks.slice(0, query.weeks),
    history: item.history,
  };
}
