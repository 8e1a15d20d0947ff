/**
 * The forecasters: each gives one flat weekly level per product for the weeks of the horizon (the coming
 * weeks' timing of lumpy wholesale orders is not predictable from the weekly series; their level is).
 *
 * - The median blend: a mean of the medians of several windows, scaled. Means chase the last big order;
 *   medians ignore it, and blending short and long windows trades reacting to a change of level against
 *   noise. WAPE is minimised by the median of the coming weeks' demand, not its mean.
 * - The pooled forecaster (pooled.ts): boosted trees on every product's features at past cuts.
 *
 * `fitForecaster` trains either on the weeks before a cut; DEFAULT_MODEL is the one chosen on the
 * validation cuts (npm run ml:evaluate -- --task forecast).
 */
import { lastWeeks, median, type Forecaster } from './baselines';
import { FIRST_CUT, fitPooled, type PooledParameters } from './pooled';
import type { WeeklyUnits } from './units';

export interface MedianBlendParameters {
  /** Window lengths in weeks whose medians are averaged. */
  windows: number[];
  /** Multiplies the blended level. */
  scale: number;
}

export type ModelParameters =
  ({ kind: 'median-blend' } & MedianBlendParameters) | ({ kind: 'pooled' } & PooledParameters);

/** The median blend chosen on the validation cuts before the pooled forecaster was added. */
export const DEFAULT_FORECAST_PARAMETERS: MedianBlendParameters = { windows: [4, 8, 12, 26], scale: 1 };

/** Boosting settings shared by the pooled forecasters of the grid (protocol.ts); depth and trees vary. */
export const POOLED_BASE: Omit<PooledParameters, 'depth' | 'trees'> = {
  learningRate: 0.1,
  bins: 32,
  minLeafWeight: 400,
  targetWeeks: 8,
  trainingCuts: 16,
  products: 300,
};

/** Chosen on the validation cuts 2011-05-16, 2011-06-13 and 2011-07-11 (npm run ml:evaluate -- --task forecast). */
export const DEFAULT_MODEL: ModelParameters = { kind: 'pooled', ...POOLED_BASE, depth: 2, trees: 100 };

/** The blended level of a history: scale × mean over windows of the median of the last k weeks. */
export function level(history: Float64Array, parameters: MedianBlendParameters): number {
  if (history.length === 0) return 0;
  let sum = 0;
  for (const k of parameters.windows) sum += median(lastWeeks(history, k));
  return (parameters.scale * sum) / parameters.windows.length;
}

/** The median blend's forecast of the next `horizon` weeks. */
export const forecast = (history: Float64Array, horizon: number, parameters: MedianBlendParameters): Float64Array =>
  new Float64Array(horizon).fill(level(history, parameters));

/**
 * The model that can be trained on the weeks before `end`: the pooled forecaster needs a training cut
 * (FIRST_CUT weeks and its target weeks before `end`); with less history the median blend, which needs
 * none, stands in, so that a forecast at an early cut still works (callers record which one ran).
 */
export function modelAt(end: number, parameters: ModelParameters): ModelParameters {
  if (parameters.kind === 'pooled' && end - parameters.targetWeeks < FIRST_CUT)
    return { kind: 'median-blend', ...DEFAULT_FORECAST_PARAMETERS };
  return parameters;
}

/** The forecaster trained on weeks [0, end) of `units` (see modelAt), for histories cut at `end` or before. */
export function fitForecaster(units: WeeklyUnits, end: number, parameters: ModelParameters): Forecaster {
  const model = modelAt(end, parameters);
  if (model.kind === 'pooled') return fitPooled(units, end, model);
  return (history, horizon) => forecast(history, horizon, model);
}

/** The model in words, for tables and logs. */
export const describeModel = (p: ModelParameters): string =>
  p.kind === 'pooled'
    ? `pooled boosted trees (${p.trees} trees of depth ${p.depth}, up to ${p.trainingCuts} training cuts × ${p.products} products)`
    : `median blend of the last ${p.windows.join('/')} weeks × ${p.scale}`;
