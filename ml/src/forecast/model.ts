/**
 * The forecaster: one flat weekly level per product, a blend of medians over several windows, scaled.
 * Lumpy wholesale demand (a few big orders among small ones) makes means chase the last big order; medians
 * ignore it, and blending short and long windows trades reacting to a change of level against noise. WAPE
 * is minimised by the median of the coming weeks' demand, not its mean, which is why the level is a median
 * and why `scale` (chosen on validation cuts) may sit below 1.
 */
import { lastWeeks, median } from './baselines';

export interface ForecastParameters {
  /** Window lengths in weeks whose medians are averaged. */
  windows: number[];
  /** Multiplies the blended level. */
  scale: number;
}

/** Chosen on the validation cuts 2011-05-16, 2011-06-13 and 2011-07-11 (npm run ml:evaluate -- --task forecast). */
export const DEFAULT_FORECAST_PARAMETERS: ForecastParameters = { windows: [4, 8, 12, 26], scale: 1 };

/** The blended level of a history: scale × mean over windows of the median of the last k weeks. */
export function level(history: Float64Array, parameters: ForecastParameters): number {
  if (history.length === 0) return 0;
  let sum = 0;
  for (const k of parameters.windows) sum += median(lastWeeks(history, k));
  return (parameters.scale * sum) / parameters.windows.length;
}

/** The point forecast of the next `horizon` weeks. */
export const forecast = (history: Float64Array, horizon: number, parameters: ForecastParameters): Float64Array =>
  new Float64Array(horizon).fill(level(history, parameters));
