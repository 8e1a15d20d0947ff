/**
 * p10/p90 by split conformal prediction, per horizon: the model is re-run at past cuts inside the training
 * weeks, and the errors it made h weeks ahead, each divided by the product's scale, give the error quantiles
 * for horizon h. Errors are scaled so that one distribution serves big and small sellers; the scale is the
 * larger of the forecast and the product's mean of its last 12 weeks (a zero median forecast of a product
 * that sells now and then still gets a band above 0).
 */
import { lastWeeks, mean, type Forecaster } from './baselines';
import { topProducts, type WeeklyUnits } from './units';

export interface IntervalModel {
  /** Scaled-error quantiles per horizon (index h − 1). */
  lower: number[];
  upper: number[];
  /** Scaled errors behind each horizon's quantiles. */
  samples: number[];
}

export interface CalibrationOptions {
  /** Past cuts per horizon (the latest ones whose target week is inside the training weeks). */
  cuts: number;
  /** Products per cut: the most units in the 12 weeks before it, as the evaluation protocol picks them. */
  products: number;
  /** The quantiles, e.g. 0.1 and 0.9. */
  lowerQuantile: number;
  upperQuantile: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = {
  cuts: 8,
  products: 300,
  lowerQuantile: 0.1,
  upperQuantile: 0.9,
};

/** The scale errors are divided by (see above); at least 1 unit. */
export const errorScale = (history: Float64Array, point: number): number =>
  Math.max(1, point, mean(lastWeeks(history, 12)));

/** The q-quantile of values (linear between order statistics). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (!sorted.length) return 0;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * Calibrates the interval model on weeks [0, end) of `units`, for horizons 1..horizon, with the forecaster
 * trained at `end` (for the pooled one, some of these past cuts were training cuts: see the README for the
 * coverage this gives on cuts it never saw).
 */
export function calibrate(
  units: WeeklyUnits,
  end: number,
  horizon: number,
  forecaster: Forecaster,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): IntervalModel {
  const model: IntervalModel = { lower: [], upper: [], samples: [] };
  // One forecast per product and past cut serves every horizon (a cut is shared by up to `horizon` of them).
  const atCut = new Map<number, { row: Float64Array; history: Float64Array; points: Float64Array }[]>();
  const forecastsAt = (cut: number) => {
    let out = atCut.get(cut);
    if (!out) {
      out = topProducts(units, cut - 12, cut, options.products).map((id) => {
        const row = units.series.get(id)!;
        const history = row.subarray(0, cut);
        return { row, history, points: forecaster(history, horizon) };
      });
      atCut.set(cut, out);
    }
    return out;
  };
  for (let h = 1; h <= horizon; h++) {
    const errors: number[] = [];
    for (let c = 0; c < options.cuts; c++) {
      const cut = end - h + 1 - c - 1; // forecast made at `cut` for week cut + h − 1 < end
      if (cut < 13) break;
      for (const { row, history, points } of forecastsAt(cut)) {
        const point = points[h - 1];
        errors.push((row[cut + h - 1] - point) / errorScale(history, point));
      }
    }
    model.lower.push(quantile(errors, options.lowerQuantile));
    model.upper.push(quantile(errors, options.upperQuantile));
    model.samples.push(errors.length);
  }
  return model;
}

/** p10/p90 of a product from its history and point forecast; never below 0. */
export function interval(history: Float64Array, point: Float64Array, model: IntervalModel) {
  const p10 = new Float64Array(point.length);
  const p90 = new Float64Array(point.length);
  point.forEach((f, i) => {
    const scale = errorScale(history, f);
    p10[i] = Math.max(0, f + model.lower[i] * scale);
    p90[i] = Math.max(p10[i], f + model.upper[i] * scale);
  });
  return { p10, p90 };
}
