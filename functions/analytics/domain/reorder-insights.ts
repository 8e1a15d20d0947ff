import { InsightsUnavailableError, MAX_FORECAST_PRODUCTS, type InsightsWithReorderDeps } from '../ports';
import type { Insight, ReorderStatus } from '../schemas';
import { PROTECTION_WEEKS, reorderInsight, shortOfCover, type StockAgainstForecast } from './reorder';

type Deps = Pick<InsightsWithReorderDeps, 'model' | 'catalog' | 'stock' | 'log'>;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Every stocked product's forecast weeks, MAX_FORECAST_PRODUCTS a call; products the model never saw are left out. */
async function stockAgainstForecasts(deps: Deps): Promise<{ asOf?: string; products: StockAgainstForecast[] }> {
  const stock = await deps.stock.available();
  const ids = [...stock.keys()].sort();
  let asOf: string | undefined;
  const products: StockAgainstForecast[] = [];
  // One call at a time: the endpoint serves shoppers' segments too, and a catalog is a handful of calls.
  for (const batch of chunks(ids, MAX_FORECAST_PRODUCTS)) {
    const answer = await deps.model.forecast(batch, PROTECTION_WEEKS, { history: false });
    asOf = answer.asOf;
    for (const item of answer.items)
      products.push({ productId: item.productId, available: stock.get(item.productId) ?? 0, weeks: item.weeks });
  }
  return { asOf, products };
}

/**
 * The reorder findings, or none with the reason: insights must answer whether or not the model (or the stock
 * table) does, so a failure here leaves the reorder items out and says so (`status`), never fails the route.
 */
export async function reorderInsights(deps: Deps): Promise<{ items: Insight[]; status: ReorderStatus }> {
  try {
    const { asOf, products } = await stockAgainstForecasts(deps);
    const short = shortOfCover(products);
    if (!asOf || short.length === 0) return { items: [], status: 'included' };
    const names = await deps.catalog.getMany(short.map((s) => s.productId));
    return {
      items: short.map((s) => reorderInsight(s, names.get(s.productId)?.name ?? s.productId, asOf)),
      status: 'included',
    };
  } catch (error) {
    const reason = error instanceof InsightsUnavailableError ? error.reason : (error as Error).name;
    deps.log.warn('reorder suggestions left out of insights', { reason, error: (error as Error).message });
    return { items: [], status: error instanceof InsightsUnavailableError ? 'model-unavailable' : 'stock-unavailable' };
  }
}
