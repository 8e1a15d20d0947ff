/**
 * The check against the future: do the segments fitted at a cut separate what their customers do in the
 * days after it? Per segment, the share of customers who buy again within `days` of the cut and their
 * revenue per customer in those days; then the spread of those figures across segments beside the same
 * spread for random splits of the customers into groups of the same sizes (label permutations).
 */
import { parseCutoff, type OrderHistory } from '../data';
import { seededRandom, shuffle } from '../random';

const DAY = 86_400_000;

export interface SegmentOutcome {
  customers: number;
  /** Share of the segment's customers with an invoice in [cut, cut + days). */
  repeatRate: number;
  /** Spend in those days per customer of the segment (all of them, buyers or not), GBP. */
  revenuePerCustomer: number;
}

export interface Spread {
  /** Size-weighted variance of the segments' figure around the overall figure (between-segment variance). */
  between: number;
  /** The largest segment figure minus the smallest. */
  range: number;
}

export interface RandomSpread {
  observed: Spread;
  /** The spread over random splits of the same sizes: mean and 95th percentile. */
  random: { mean: Spread; p95: Spread; runs: number };
  /** Share of random splits whose between-segment variance reached the observed one. */
  pValue: number;
}

/** Each customer's future figures: bought again (0/1) and spend in [cut, cut + days). */
export function futureOf(history: OrderHistory, customerIds: string[], asOf: string, days: number) {
  const from = parseCutoff(asOf);
  const until = from + days * DAY;
  const byCustomer = new Map<string, { bought: number; revenue: number }>();
  for (const invoice of history.invoices) {
    if (invoice.time < from || invoice.time >= until) continue;
    const f = byCustomer.get(invoice.customerId) ?? { bought: 1, revenue: 0 };
    f.revenue += invoice.spend ?? 0;
    byCustomer.set(invoice.customerId, f);
  }
  return customerIds.map((id) => byCustomer.get(id) ?? { bought: 0, revenue: 0 });
}

/** Per group (labels 0..k-1), the mean of `values`. */
export function groupMeans(labels: number[], values: number[], k: number): { n: number; mean: number }[] {
  const sums = new Array<number>(k).fill(0);
  const counts = new Array<number>(k).fill(0);
  labels.forEach((l, i) => {
    sums[l] += values[i];
    counts[l]++;
  });
  return sums.map((s, c) => ({ n: counts[c], mean: counts[c] > 0 ? s / counts[c] : 0 }));
}

export function spread(labels: number[], values: number[], k: number): Spread {
  const groups = groupMeans(labels, values, k).filter((g) => g.n > 0);
  const total = values.length;
  const overall = values.reduce((a, b) => a + b, 0) / Math.max(1, total);
  const between = groups.reduce((s, g) => s + g.n * (g.mean - overall) ** 2, 0) / Math.max(1, total);
  const means = groups.map((g) => g.mean);
  return { between, range: Math.max(...means) - Math.min(...means) };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** The observed spread of `values` across the segments beside `runs` random permutations of the labels. */
export function againstRandom(labels: number[], values: number[], k: number, runs: number, seed: number): RandomSpread {
  const observed = spread(labels, values, k);
  const random = seededRandom(seed);
  const permuted = [...labels];
  const spreads: Spread[] = [];
  for (let r = 0; r < runs; r++) spreads.push(spread(shuffle(permuted, random), values, k));
  const of = (key: keyof Spread) => spreads.map((s) => s[key]).sort((a, b) => a - b);
  const mean = (key: keyof Spread) => of(key).reduce((a, b) => a + b, 0) / Math.max(1, runs);
  return {
    observed,
    random: {
      mean: { between: mean('between'), range: mean('range') },
      p95: { between: quantile(of('between'), 0.95), range: quantile(of('range'), 0.95) },
      runs,
    },
    pValue: (1 + spreads.filter((s) => s.between >= observed.between).length) / (1 + runs),
  };
}
