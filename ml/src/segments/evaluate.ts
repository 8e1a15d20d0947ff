/**
 * The segments evaluation of `npm run ml:evaluate -- --task segments`: the segmentation fitted at a cut
 * (k by silhouette, stability), its segments' next-90-days behaviour beside random splits of the same
 * sizes, and the part the artifact ships (fitted on everything, at `asOf`) with its build time.
 */
import type { SegmentsPart } from '../insights/contract';
import type { OrderHistory } from '../data';
import { againstRandom, futureOf, groupMeans, type RandomSpread } from './future';
import { segmentCustomers, SEGMENTATION_DEFAULTS, type Segmentation } from './fit';
import { buildSegmentsPart, partOf } from './part';
import { stability } from './stability';

export const SEGMENTS_DEFAULTS = {
  /** The checked cut: 90 days after it (to 2011-11-30) lie inside the data, which ends 2011-12-09. */
  cut: '2011-09-01',
  days: 90,
  /** The cut of the part the artifact ships: after the last invoice, so every customer is segmented. */
  asOf: '2011-12-12',
  permutations: 200,
  /** Bootstrap fits per k in the per-k table (the chosen k gets SEGMENTATION_DEFAULTS.bootstraps). */
  bootstrapsPerK: 10,
};

export interface SegmentsEvaluation {
  checked: Segmentation;
  checkedPart: SegmentsPart;
  /** Per k: bootstrap ARI mean and min (evaluation only; not used to choose k). */
  stabilityByK: Map<number, { mean: number; min: number }>;
  outcomes: { name: string; customers: number; valueShare: number; repeatRate: number; revenuePerCustomer: number }[];
  repeat: RandomSpread;
  revenue: RandomSpread;
  shipped: SegmentsPart;
  shippedSeconds: number;
}

type Progress = (stage: string, done: number, total: number) => void;

export function evaluateSegments(
  history: OrderHistory,
  options: { cut: string; days: number; asOf: string; permutations: number; seed: number; onProgress?: Progress },
): SegmentsEvaluation {
  const progress = options.onProgress ?? (() => undefined);
  const segmentation = { ...SEGMENTATION_DEFAULTS, seed: options.seed };
  progress('segments at the cut', 0, 3);
  const checked = segmentCustomers(history, options.cut, segmentation);
  const checkedPart = partOf(checked);
  progress('segments at the cut', 1, 3);
  const stabilityByK = new Map<number, { mean: number; min: number }>();
  for (const { k, labels } of checked.choice.byK) {
    const { bootstrap } = stability(checked.points, {
      k,
      labels,
      seeds: 0,
      bootstraps: SEGMENTS_DEFAULTS.bootstrapsPerK,
      restarts: segmentation.restarts,
      seed: options.seed,
    });
    stabilityByK.set(k, bootstrap);
  }
  progress('segments at the cut', 2, 3);
  // The part orders segments by value share; relabel the customers to that order.
  const segmentIndex = new Map(checkedPart.segments.map((s, i) => [s.segment, i]));
  const labelOf = new Map(checkedPart.customers.map((c) => [c.customerId, segmentIndex.get(c.segment)!]));
  const ids = checked.customers.map((c) => c.customerId);
  const labels = ids.map((id) => labelOf.get(id)!);
  const future = futureOf(history, ids, options.cut, options.days);
  const k = checkedPart.segments.length;
  const bought = future.map((f) => f.bought);
  const revenueValues = future.map((f) => f.revenue);
  const repeatMeans = groupMeans(labels, bought, k);
  const revenueMeans = groupMeans(labels, revenueValues, k);
  const outcomes = checkedPart.segments.map((s, i) => ({
    name: s.name,
    customers: s.customers,
    valueShare: s.valueShare,
    repeatRate: repeatMeans[i].mean,
    revenuePerCustomer: revenueMeans[i].mean,
  }));
  const repeat = againstRandom(labels, bought, k, options.permutations, options.seed + 1);
  const revenue = againstRandom(labels, revenueValues, k, options.permutations, options.seed + 2);
  progress('segments at the cut', 3, 3);
  progress('segments shipped', 0, 1);
  const started = performance.now();
  const shipped = buildSegmentsPart(history, options.asOf, segmentation);
  const shippedSeconds = (performance.now() - started) / 1000;
  progress('segments shipped', 1, 1);
  return { checked, checkedPart, stabilityByK, outcomes, repeat, revenue, shipped, shippedSeconds };
}
