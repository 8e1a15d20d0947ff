import type { RecommendationRequest } from '../../../ml/src/model';
import { dependencyUnavailable } from '../../shared/errors';
import { ModelUnavailableError, type PurchaseLine, type RecommendationsDeps, type ShopperSegment } from '../ports';
import { shopperSegment } from './segment';
import type { Recommendations, RecommendedProduct } from '../schemas';

export interface RecommendationsInput {
  /** The signed-in shopper, whose order history personalises the answer. */
  userId?: string;
  /** "Bought together with this product". */
  productId?: string;
  limit: number;
}

/** Most products a request asks the model for: two BatchGetItem calls of hydration at most. */
export const MAX_CANDIDATES = 200;

/**
 * How many candidates to ask for: room for the ones hydration drops (inactive, no longer in the
 * catalog) without paying for a second round trip to the model.
 */
export const candidatesFor = (limit: number) => Math.min(MAX_CANDIDATES, Math.max(limit + 10, 2 * limit));

/** The model's request: the shopper's history (or none), the product, and how many to return. */
export function modelRequest(input: RecommendationsInput, history: PurchaseLine[]): RecommendationRequest {
  // No userId: the model scores from the history itself, and a Cognito sub means nothing to it.
  return {
    // As the model's contract takes a line: what the segment needs (order, price) stays here.
    history: history.map(({ productId, quantity, at }) => ({ productId, quantity, at })),
    ...(input.productId ? { productId: input.productId, exclude: [input.productId] } : {}),
    k: candidatesFor(input.limit),
  };
}

/**
 * Recommendations for a shopper: the model's when its endpoint answers in time, otherwise the shopper's segment's
 * top products (a signed-in shopper whose segment the insights model assigned) ahead of global popularity — model
 * trouble of any kind degrades the answer, never fails it. Either way only products the catalog still sells are
 * shown, with their live names and prices, and a signed-in shopper's segment is named in the answer.
 */
export async function recommend(input: RecommendationsInput, deps: RecommendationsDeps): Promise<Recommendations> {
  let history: PurchaseLine[] = [];
  if (input.userId) {
    try {
      history = await deps.history.recentLines(input.userId);
    } catch (error) {
      // Without the history the answer is less personal, not wrong.
      deps.log.warn('order history unavailable, recommending without it', { error: (error as Error).message });
    }
  }
  // Asked beside the model, not before it: a slow insights endpoint must not add its wait to the model's. It never
  // rejects (no segment instead), and both the fallback and the answer's label need it.
  const segmentLookup = shopperSegment(history, deps.clock.now(), deps);
  const request = modelRequest(input, history);

  let ranked: { productId: string; score: number }[];
  let answeredBy: Pick<Recommendations, 'source' | 'modelVersion' | 'variant'>;
  try {
    const { answer, variant } = await deps.model.recommend(request);
    ranked = answer.items;
    answeredBy = { source: 'model', modelVersion: answer.modelVersion, variant };
  } catch (error) {
    const reason = error instanceof ModelUnavailableError ? error.reason : 'error';
    deps.metrics.record('recommendationFallbacks', 1, reason);
    // While the breaker is open every request lands here: its opening was logged once, as a warning.
    (reason === 'breaker-open' ? deps.log.debug : deps.log.warn)('model unavailable, recommending by popularity', {
      reason,
      error: (error as Error).message,
    });
    ({ ranked, answeredBy } = await fallback(request.k + 1, await segmentLookup, deps));
  }
  const segment = await segmentLookup;

  const named = segment ? { segment: { segment: segment.segment, name: segment.name } } : {};
  return { items: await onSale(ranked, input, deps), ...answeredBy, ...named };
}

/**
 * Without the model: the segment's top products first (most bought first), then global popularity for the rest,
 * scored as the model scores (the best 1). `modelVersion` names what ranked them.
 */
async function fallback(
  k: number,
  segment: ShopperSegment | undefined,
  deps: RecommendationsDeps,
): Promise<{
  ranked: { productId: string; score: number }[];
  answeredBy: Pick<Recommendations, 'source' | 'modelVersion' | 'variant'>;
}> {
  const popular = await deps.popular.top().catch((e: unknown) => {
    deps.log.warn('popularity fallback unavailable', { error: (e as Error).message });
    throw dependencyUnavailable('Recommendations');
  });
  // Scaled as the model scales popularity (the best product 1), whatever the aggregate's own units.
  const top = popular.items[0]?.[1] || 1;
  const byPopularity = popular.items.map(([productId, score]) => ({
    productId,
    score: Math.round((score / top) * 1e6) / 1e6,
  }));
  if (!segment?.topProducts.length)
    return {
      ranked: byPopularity.slice(0, k),
      answeredBy: { source: 'fallback', modelVersion: popular.version, variant: null },
    };
  const first = new Set(segment.topProducts);
  const ids = [...segment.topProducts, ...byPopularity.map((p) => p.productId).filter((id) => !first.has(id))];
  return {
    ranked: ids.slice(0, k).map((productId, i) => ({ productId, score: Math.round((1 - i / ids.length) * 1e6) / 1e6 })),
    answeredBy: { source: 'fallback', modelVersion: `segment ${segment.segment}; ${popular.version}`, variant: null },
  };
}

/** The candidates the catalog still sells, in the model's order, hydrated, up to the limit. */
async function onSale(
  ranked: { productId: string; score: number }[],
  input: RecommendationsInput,
  deps: RecommendationsDeps,
): Promise<RecommendedProduct[]> {
  const seen = new Set<string>(input.productId ? [input.productId] : []);
  const candidates = ranked.filter(({ productId }) => !seen.has(productId) && seen.add(productId));
  const products = await deps.products.getMany(candidates.map((c) => c.productId)).catch((e: unknown) => {
    deps.log.warn('catalog unavailable for hydration', { error: (e as Error).message });
    throw dependencyUnavailable('The catalog');
  });
  const items: RecommendedProduct[] = [];
  for (const { productId, score } of candidates) {
    const product = products.get(productId);
    if (!product || product.status !== 'ACTIVE') continue;
    items.push({ productId, score, name: product.name, price: product.price, currency: product.currency });
    if (items.length === input.limit) break;
  }
  return items;
}
