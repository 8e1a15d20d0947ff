/**
 * The baselines: each forecasts one flat level for every week of the horizon from the last weeks of a
 * product's history (weeks without sales count as 0).
 */
export type Forecaster = (history: Float64Array, horizon: number) => Float64Array;

/** The last `k` weeks of a history (fewer when it is shorter). */
export const lastWeeks = (history: Float64Array, k: number): Float64Array =>
  history.subarray(Math.max(0, history.length - k));

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}

/** The middle value; of an even count the average of the two middle values. 0 when empty. */
export function median(values: ArrayLike<number>): number {
  if (!values.length) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The upper middle value (sorted[n / 2]): the "median of the last 8 weeks" baseline is this one (it
 * gives the 0.603; the averaged median gives 0.594).
 */
export function upperMedian(values: ArrayLike<number>): number {
  if (!values.length) return 0;
  return Float64Array.from(values).sort()[values.length >> 1];
}

const flat = (level: number, horizon: number) => new Float64Array(horizon).fill(level);

/** Next weeks = last week. */
export const naiveLastWeek: Forecaster = (history, horizon) => flat(history.at(-1) ?? 0, horizon);
/** Next weeks = mean of the last k weeks. */
export const meanOfLast =
  (k: number): Forecaster =>
  (history, horizon) =>
    flat(mean(lastWeeks(history, k)), horizon);
/** Next weeks = the (upper) median of the last k weeks. */
export const medianOfLast =
  (k: number): Forecaster =>
  (history, horizon) =>
    flat(upperMedian(lastWeeks(history, k)), horizon);

/** The four baselines, by the names the README's table uses. */
export const BASELINES: [string, Forecaster][] = [
  ['naive (last week)', naiveLastWeek],
  ['mean of the last 4 weeks', meanOfLast(4)],
  ['mean of the last 12 weeks', meanOfLast(12)],
  ['median of the last 8 weeks', medianOfLast(8)],
];
