/**
 * The signed-in shopper's segment as a feature: the demand-insights model's SegmentFeatures measured now from the
 * purchase history this context keeps, assigned by the model's endpoint. Pure feature code here; the call is the
 * SegmentAssigner port's.
 *
 * The history is what the purchase-history table holds for a shopper: their latest HISTORY_ORDERS orders of the past
 * year, cancelled ones left out. Frequency and tenure are measured over that much, so a long-standing heavy buyer's
 * are understated; monetary is in pounds as the model's (the dataset's GBP), from the unit prices the lines keep
 * (lines kept before the prices were count 0).
 */
import type { SegmentFeatures } from '../../../ml/src/insights/contract';
import type { PurchaseLine, RecommendationsDeps, ShopperSegment } from '../ports';

const DAY_MS = 86_400_000;
const days = (from: number, to: number) => Math.max(0, (to - from) / DAY_MS);

/** The features at `now`, or undefined without a dated purchase (a shopper with no history has no segment). */
export function segmentFeatures(lines: readonly PurchaseLine[], now: Date): SegmentFeatures | undefined {
  const dated = lines.filter((l) => Number.isFinite(Date.parse(l.at)) && l.quantity > 0);
  if (dated.length === 0) return undefined;
  const times = dated.map((l) => Date.parse(l.at));
  // An order is its id; lines kept without one are told apart by when their order was placed.
  const orders = new Set(dated.map((l) => l.orderId ?? l.at));
  const pence = dated.reduce((sum, l) => sum + l.quantity * (l.unitPrice ?? 0), 0);
  return {
    recency: Math.round(days(Math.max(...times), now.getTime()) * 100) / 100,
    frequency: orders.size,
    monetary: Math.max(0, pence) / 100,
    tenure: Math.round(days(Math.min(...times), now.getTime()) * 100) / 100,
    breadth: new Set(dated.map((l) => l.productId)).size,
  };
}

/**
 * The shopper's segment, or undefined: no history, or the model did not answer (logged). Never throws:
 * a segment makes a fallback more personal, and its absence must not fail a recommendation.
 */
export async function shopperSegment(
  lines: readonly PurchaseLine[],
  now: Date,
  deps: Pick<RecommendationsDeps, 'segments' | 'log'>,
): Promise<ShopperSegment | undefined> {
  const features = segmentFeatures(lines, now);
  if (!features) return undefined;
  try {
    return await deps.segments.assign(features);
  } catch (error) {
    deps.log.debug('shopper segment unavailable, recommending without it', {
      reason: (error as { reason?: string }).reason ?? 'error',
      error: (error as Error).message,
    });
    return undefined;
  }
}
