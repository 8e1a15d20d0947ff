/**
 * The forecast part of the insights artifact (ml/src/insights/contract.ts `ForecastPart`): FORECAST_WEEKS
 * weeks of forecasts with p10/p90 from `asOf` for every product sold before it, beside the HISTORY_WEEKS
 * weeks of actual units before `asOf` that the dashboard draws them after.
 */
import { FORECAST_WEEKS, HISTORY_WEEKS, type ForecastPart } from '../insights/contract';
import { DEFAULT_CALIBRATION, calibrate, interval } from './intervals';
import { DEFAULT_MODEL, describeModel, fitForecaster, modelAt, type ModelParameters } from './model';
import { cutSet, scoreModel } from './protocol';
import { UNITS_RULE, type WeeklyUnits } from './units';
import { addWeeks, isMonday, weekIndex } from './weeks';

/** Units to one decimal: forecasts are estimates, and the artifact stays small. */
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Weeks held out at the end of the history for the part's own check (the evaluation protocol's horizon). */
const CHECK_WEEKS = 8;

/**
 * Figures cheap enough to compute with every build: the parameters, the calibration, and one backtest — the
 * model trained on the weeks before `asOf` minus CHECK_WEEKS, scored on the CHECK_WEEKS after it with the
 * evaluation protocol (the 300 products with the most units in the 12 weeks before that cut). Absent when the
 * history is too short for it.
 */
function partMetrics(units: WeeklyUnits, end: number, parameters: ModelParameters, samples: number[]) {
  const metrics: Record<string, unknown> = {
    model: describeModel(modelAt(end, parameters)),
    parameters: modelAt(end, parameters),
    unitsRule: UNITS_RULE,
    calibration: { ...DEFAULT_CALIBRATION, samplesPerHorizon: samples },
  };
  const cut = end - CHECK_WEEKS;
  if (cut - 12 >= 13) {
    const set = cutSet(units, addWeeks(units.origin, cut), CHECK_WEEKS);
    const s = scoreModel(units, set, parameters);
    metrics.backtest = { cut: set.cut, weeks: CHECK_WEEKS, products: set.products.length, ...s };
  }
  return metrics;
}

/** The units cut or padded to `weeks` weeks: weeks after the data's last one sold nothing. */
function withWeeks(units: WeeklyUnits, weeks: number): WeeklyUnits {
  const series = new Map<string, Float64Array>();
  for (const [id, row] of units.series) {
    const out = new Float64Array(weeks);
    out.set(row.subarray(0, weeks));
    series.set(id, out);
  }
  return { origin: units.origin, weeks, series };
}

/**
 * Builds the forecast part at `asOf` (a Monday) from weekly units: the model sees only the weeks before it.
 * Products are every one with units before `asOf`; p10 <= units <= p90 in every week.
 */
export function buildForecastPart(
  units: WeeklyUnits,
  asOf: string,
  parameters: ModelParameters = DEFAULT_MODEL,
): ForecastPart {
  if (!isMonday(asOf)) throw new Error(`asOf ${asOf} is not a Monday`);
  const end = weekIndex(units.origin, asOf);
  if (end < 1) throw new Error(`No weeks of units before ${asOf}`);
  units = withWeeks(units, end);
  const first = Math.max(0, end - HISTORY_WEEKS);
  const forecaster = fitForecaster(units, end, parameters);
  const intervals = calibrate(units, end, FORECAST_WEEKS, forecaster);
  const products: ForecastPart['products'] = {};
  for (const [id, row] of units.series) {
    const history = row.subarray(0, end);
    if (!history.some((v) => v > 0)) continue;
    const point = forecaster(history, FORECAST_WEEKS);
    const band = interval(history, point, intervals);
    products[id] = {
      units: Array.from(point, round1),
      // The band holds the point forecast even where past errors were one-sided at a horizon.
      p10: Array.from(band.p10, (v, i) => round1(Math.min(v, point[i]))),
      p90: Array.from(band.p90, (v, i) => round1(Math.max(v, point[i]))),
      history: Array.from(history.subarray(first), round1),
    };
  }
  return {
    weekStarts: Array.from({ length: FORECAST_WEEKS }, (_, h) => addWeeks(asOf, h)),
    historyWeekStarts: Array.from({ length: end - first }, (_, i) => addWeeks(units.origin, first + i)),
    products,
    metrics: partMetrics(units, end, parameters, intervals.samples),
  };
}
