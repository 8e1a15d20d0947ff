/**
 * The pooled forecaster's features of one product at a cut, from its weekly units before the cut and the
 * store's. Levels are divided by the product's scale (its mean of the last 12 weeks, at least 1 unit) so
 * that one model serves big and small sellers; the model predicts the coming weeks in the same scale.
 */
import { lastWeeks, mean, median } from './baselines';
import { quantile } from './intervals';

/** Its names, in order: the README's and the tests' reference. */
export const FEATURE_NAMES = [
  'median 4 weeks',
  'median 8 weeks',
  'median 12 weeks',
  'median 26 weeks',
  'median since first sale',
  'mean 4 weeks',
  'lower quartile 12 weeks',
  'upper quartile 12 weeks',
  'last week',
  'log-mean 12 weeks',
  'log-mean 26 weeks since first sale',
  'median blend 4/8/12/26 since first sale',
  'largest week of 12',
  'share of the 12 weeks with sales',
  'weeks since first sale (at most 60)',
  'log scale',
  "store's units, last 4 weeks over last 26",
] as const;

/** The product's scale: its mean of the last 12 weeks, at least 1 unit. */
export const productScale = (history: Float64Array): number => Math.max(1, mean(lastWeeks(history, 12)));

/** exp(mean(log(x + 10))) − 10: a level between the median and the mean that a single big order moves little. */
export function logMean(values: Float64Array): number {
  if (!values.length) return 0;
  let sum = 0;
  for (const v of values) sum += Math.log(v + 10);
  return Math.exp(sum / values.length) - 10;
}

const medianBlend = (history: Float64Array) =>
  [4, 8, 12, 26].reduce((sum, k) => sum + median(lastWeeks(history, k)), 0) / 4;

/**
 * The features of a history (the product's weeks before the cut) given the store's weekly units before
 * the cut (`store`, as long as the history).
 */
export function productFeatures(history: Float64Array, store: Float64Array): Float64Array {
  const s = productScale(history);
  const first = history.findIndex((v) => v > 0);
  // A product launched a few weeks ago: the weeks before its launch are not demand of 0.
  const since = first < 0 ? history : history.subarray(first);
  const l12 = lastWeeks(history, 12);
  const levels = [
    median(lastWeeks(history, 4)),
    median(lastWeeks(history, 8)),
    median(l12),
    median(lastWeeks(history, 26)),
    median(since),
    mean(lastWeeks(history, 4)),
    quantile(l12, 0.25),
    quantile(l12, 0.75),
    history.at(-1) ?? 0,
    logMean(l12),
    logMean(lastWeeks(since, 26)),
    medianBlend(since),
    l12.length ? Math.max(...l12) : 0,
  ].map((v) => v / s);
  const storeTrend = mean(lastWeeks(store, 4)) / Math.max(1, mean(lastWeeks(store, 26)));
  return Float64Array.from([
    ...levels,
    l12.length ? l12.filter((v) => v > 0).length / l12.length : 0,
    Math.min(first < 0 ? 0 : history.length - first, 60),
    Math.log(s),
    storeTrend,
  ]);
}

/** The store's units per week: every product's, summed. */
export function storeUnits(series: Iterable<Float64Array>, weeks: number): Float64Array {
  const out = new Float64Array(weeks);
  for (const row of series) for (let w = 0; w < Math.min(weeks, row.length); w++) out[w] += row[w];
  return out;
}
