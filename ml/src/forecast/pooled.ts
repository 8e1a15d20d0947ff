/**
 * The pooled forecaster: one model for every product, boosted trees (boosting.ts) on each product's
 * features at a cut (features.ts), trained on the cuts before the forecast cut whose coming weeks are known.
 * Pooling lets what one product's history says about its next weeks — a launch ramping up, a level set
 * by a few wholesale orders — be learnt from every product's past, where a per-product rule fixes one answer.
 */
import type { Forecaster } from './baselines';
import { fitBoostedTrees, predictBoosted, type BoostingOptions, type TrainingRows } from './boosting';
import { productFeatures, productScale, storeUnits } from './features';
import { topProducts, type WeeklyUnits } from './units';

export interface PooledParameters extends BoostingOptions {
  /** Weeks ahead each training cut is scored on (the targets of a row). */
  targetWeeks: number;
  /** Training cuts: the latest ones whose target weeks end by the forecast cut, at most this many. */
  trainingCuts: number;
  /** Products per training cut: the most units in the 12 weeks before it, as the protocol picks them. */
  products: number;
}

/** The first cut with 12 weeks before it (the protocol's selection window) and one more week of history. */
export const FIRST_CUT = 13;

/** The training rows of the cuts before `end`: features at each cut, the next `targetWeeks` weeks' units. */
export function trainingRows(units: WeeklyUnits, end: number, store: Float64Array, p: PooledParameters): TrainingRows {
  const rows: TrainingRows = { features: [], targets: [], weights: [] };
  for (let c = end - p.targetWeeks, n = 0; c >= FIRST_CUT && n < p.trainingCuts; c--, n++)
    for (const id of topProducts(units, c - 12, c, p.products)) {
      const row = units.series.get(id)!;
      const history = row.subarray(0, c);
      const s = productScale(history);
      rows.features.push(productFeatures(history, store.subarray(0, c)));
      rows.targets.push(row.slice(c, c + p.targetWeeks).map((y) => y / s));
      rows.weights.push(s);
    }
  return rows;
}

/**
 * Fits the pooled model on the weeks before `end` of `units` and returns it as a forecaster of a history
 * cut at any week up to `end` (its store feature reads the store's weeks before the history's end).
 * Throws when the data has no training cut (fewer than FIRST_CUT + targetWeeks weeks before `end`).
 */
export function fitPooled(units: WeeklyUnits, end: number, parameters: PooledParameters): Forecaster {
  const store = storeUnits(units.series.values(), units.weeks);
  const rows = trainingRows(units, end, store, parameters);
  if (!rows.features.length) throw new Error(`Too few weeks before week ${end} to train the pooled forecaster`);
  const model = fitBoostedTrees(rows, parameters);
  return (history, horizon) => {
    const x = productFeatures(history, store.subarray(0, history.length));
    return new Float64Array(horizon).fill(Math.max(0, predictBoosted(model, x) * productScale(history)));
  };
}
