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
  /** Earlier cuts checked the same way (without the stability runs): is the separation a one-off? */
  otherCuts: ['2011-03-01', '2011-06-01'],
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
  /** The same check at other cuts. */
  others: OtherCut[];
  /** Seconds per stage. */
  timings: [string, number][];
}

export interface OtherCut {
  cut: string;
  part: SegmentsPart;
  outcomes: SegmentsEvaluation['outcomes'];
  repeat: RandomSpread;
  revenue: RandomSpread;
}

type Progress = (stage: string, done: number, total: number) => void;

export function evaluateSegments(
  history: OrderHistory,
  options: {
    cut: string;
    days: number;
    asOf: string;
    permutations: number;
    seed: number;
    otherCuts: string[];
    onProgress?: Progress;
  },
): SegmentsEvaluation {
  const progress = options.onProgress ?? (() => undefined);
  const segmentation = { ...SEGMENTATION_DEFAULTS, seed: options.seed };
  const timings: [string, number][] = [];
  const timed = <T>(label: string, f: () => T): T => {
    const t = performance.now();
    const result = f();
    timings.push([label, (performance.now() - t) / 1000]);
    return result;
  };
  progress('segments at the cut', 0, 3);
  const started = performance.now();
  const checked = timed(`fit at ${options.cut} (k 3–8, stability)`, () =>
    segmentCustomers(history, options.cut, segmentation),
  );
  const checkedPart = partOf(checked, started);
  progress('segments at the cut', 1, 3);
  const stabilityByK = timed('bootstraps per k', () => stabilityPerK(checked, segmentation));
  progress('segments at the cut', 2, 3);
  const check = timed(`${options.days}-day check (${options.permutations} permutations × 2)`, () =>
    checkFuture(history, checked, checkedPart, options),
  );
  progress('segments at the cut', 3, 3);
  const others = timed(`other cuts (${options.otherCuts.join(', ')})`, () =>
    options.otherCuts.map((cut) => {
      const fit = segmentCustomers(history, cut, { ...segmentation, stabilitySeeds: 0, bootstraps: 0 });
      const part = partOf(fit);
      return { cut, part, ...checkFuture(history, fit, part, { ...options, cut }) };
    }),
  );
  progress('segments shipped', 0, 1);
  const shipped = timed(`buildSegmentsPart at ${options.asOf}`, () =>
    buildSegmentsPart(history, options.asOf, segmentation),
  );
  progress('segments shipped', 1, 1);
  return { checked, checkedPart, stabilityByK, ...check, shipped, others, timings };
}

/** Bootstrap ARI for every k tried, each against that k's own fit (evaluation only; k is chosen by silhouette). */
function stabilityPerK(checked: Segmentation, segmentation: typeof SEGMENTATION_DEFAULTS) {
  const byK = new Map<number, { mean: number; min: number }>();
  for (const { k, labels } of checked.choice.byK) {
    const { bootstrap } = stability(checked.points, {
      k,
      labels,
      seeds: 0,
      bootstraps: SEGMENTS_DEFAULTS.bootstrapsPerK,
      restarts: segmentation.restarts,
      seed: segmentation.seed,
    });
    byK.set(k, bootstrap);
  }
  return byK;
}

/** Per segment, the next `days` days' repeat rate and revenue per customer, and their spread against random. */
function checkFuture(
  history: OrderHistory,
  checked: Segmentation,
  part: SegmentsPart,
  options: { cut: string; days: number; permutations: number; seed: number },
) {
  // The part orders segments by value share; relabel the customers to that order.
  const segmentIndex = new Map(part.segments.map((s, i) => [s.segment, i]));
  const labelOf = new Map(part.customers.map((c) => [c.customerId, segmentIndex.get(c.segment)!]));
  const ids = checked.customers.map((c) => c.customerId);
  const labels = ids.map((id) => labelOf.get(id)!);
  const future = futureOf(history, ids, options.cut, options.days);
  const k = part.segments.length;
  const bought = future.map((f) => f.bought);
  const revenue = future.map((f) => f.revenue);
  const repeatMeans = groupMeans(labels, bought, k);
  const revenueMeans = groupMeans(labels, revenue, k);
  return {
    outcomes: part.segments.map((s, i) => ({
      name: s.name,
      customers: s.customers,
      valueShare: s.valueShare,
      repeatRate: repeatMeans[i].mean,
      revenuePerCustomer: revenueMeans[i].mean,
    })),
    repeat: againstRandom(labels, bought, k, options.permutations, options.seed + 1),
    revenue: againstRandom(labels, revenue, k, options.permutations, options.seed + 2),
  };
}
