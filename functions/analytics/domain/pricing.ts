import { notFound } from '../../shared/errors';
import type { ModelQueryDeps } from '../ports';
import type { PricingQuery, PricingSuggestion } from '../model-schemas';
import { fromModel } from './model-errors';

/** The currency the model learnt prices in: the dataset's UnitPrice is GBP. */
export const MODEL_CURRENCY = 'GBP';

const toMinor = (gbp: number) => Math.round(gbp * 100);

/**
 * The model's reading of a product's price: elasticity with its interval and, where the evidence supports one, a
 * suggested price. The current price is the catalog's (minor units), sent to the model in GBP; nothing here
 * changes a price. A product priced in another currency gets no suggestion: the model knows GBP prices only.
 */
export async function pricingSuggestion(query: PricingQuery, deps: ModelQueryDeps): Promise<PricingSuggestion> {
  const product = await deps.catalog.get(query.productId);
  if (!product) throw notFound('Product');
  const base = { productId: product.id, name: product.name, currentPrice: product.price, currency: product.currency };
  if (product.currency !== MODEL_CURRENCY || product.price <= 0)
    return {
      ...base,
      reason: `Not enough evidence: the product is priced in ${product.currency}${product.price <= 0 ? ' at zero' : ''}, and the pricing model learnt from ${MODEL_CURRENCY} prices only.`,
    };
  const answer = await fromModel('pricing', () => deps.model.pricing(product.id, product.price / 100), deps);
  return {
    ...base,
    ...(answer.elasticity !== undefined ? { elasticity: answer.elasticity } : {}),
    ...(answer.interval ? { interval: answer.interval } : {}),
    ...(answer.suggestedPrice !== undefined ? { suggestedPrice: toMinor(answer.suggestedPrice) } : {}),
    reason: answer.reason,
  };
}
