/**
 * Training on the weeks before a cut and the forecast file of the shape:
 * {"weekStarts": [...], "forecasts": {"<productId>": [n, ...]}, "quantiles": {"<productId>": {"p10": [...], "p90": [...]}}}
 */
import { calibrate, interval } from './intervals';
import { DEFAULT_MODEL, fitForecaster, type ModelParameters } from './model';
import type { WeeklyUnits } from './units';
import { addWeeks, weekIndex } from './weeks';

export interface ForecastFile {
  weekStarts: string[];
  forecasts: Record<string, number[]>;
  quantiles: Record<string, { p10: number[]; p90: number[] }>;
}

/** Units to one decimal: forecasts are estimates, not counts, and files stay small. */
const round = (values: Float64Array) => Array.from(values, (v) => Math.round(v * 10) / 10);

/**
 * Forecasts of every product with units before `until` (a Monday) for the `horizon` weeks from it.
 * `onProgress` counts products.
 */
export function buildForecasts(
  units: WeeklyUnits,
  until: string,
  horizon: number,
  parameters: ModelParameters = DEFAULT_MODEL,
  onProgress?: (done: number, total: number) => void,
): ForecastFile {
  const end = weekIndex(units.origin, until);
  const forecaster = fitForecaster(units, end, parameters);
  const intervals = calibrate(units, end, horizon, forecaster);
  const file: ForecastFile = {
    weekStarts: Array.from({ length: horizon }, (_, h) => addWeeks(until, h)),
    forecasts: {},
    quantiles: {},
  };
  const total = units.series.size;
  let done = 0;
  for (const [id, row] of units.series) {
    const history = row.subarray(0, Math.max(0, end));
    const point = forecaster(history, horizon);
    const { p10, p90 } = interval(history, point, intervals);
    file.forecasts[id] = round(point);
    file.quantiles[id] = { p10: round(p10), p90: round(p90) };
    if (++done % 500 === 0 || done === total) onProgress?.(done, total);
  }
  return file;
}
