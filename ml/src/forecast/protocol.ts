/**
 * The evaluation protocol of the issue: at a cut (a Monday), the products with the most units in the 12 weeks
 * before it; every forecaster sees the weeks before the cut and is scored on the `horizon` weeks after it.
 */
import type { Forecaster } from './baselines';
import { calibrate, interval } from './intervals';
import { fitForecaster, POOLED_BASE, type ModelParameters } from './model';
import { coverage, mase, wape } from './metrics';
import { topProducts, type WeeklyUnits } from './units';
import { weekIndex } from './weeks';

export interface CutSet {
  cut: string;
  /** Week index of the cut. */
  at: number;
  products: string[];
  histories: Float64Array[];
  actuals: Float64Array[];
}

export const PROTOCOL = { products: 300, selectionWeeks: 12 } as const;

/** The products, histories and actuals of one cut. Throws when the data does not cover cut + horizon. */
export function cutSet(units: WeeklyUnits, cut: string, horizon: number): CutSet {
  const at = weekIndex(units.origin, cut);
  if (at - PROTOCOL.selectionWeeks < 0 || at + horizon > units.weeks)
    throw new Error(`The data's weeks do not cover 12 weeks before ${cut} and ${horizon} after`);
  const products = topProducts(units, at - PROTOCOL.selectionWeeks, at, PROTOCOL.products);
  const rows = products.map((id) => units.series.get(id)!);
  return {
    cut,
    at,
    products,
    histories: rows.map((r) => r.slice(0, at)),
    actuals: rows.map((r) => r.slice(at, at + horizon)),
  };
}

export interface Scores {
  wape: number;
  mase: number;
}

/** WAPE and MASE of a forecaster on a cut. */
export function score(set: CutSet, forecaster: Forecaster): Scores {
  const horizon = set.actuals[0]?.length ?? 0;
  const forecasts = set.histories.map((h) => forecaster(h, horizon));
  return { wape: wape(set.actuals, forecasts), mase: mase(set.actuals, forecasts, set.histories) };
}

/**
 * The model trained on the weeks before a cut: its scores there, with the coverage of its p10/p90
 * (calibrated on the weeks before the cut too).
 */
export function scoreModel(units: WeeklyUnits, set: CutSet, parameters: ModelParameters) {
  const horizon = set.actuals[0]?.length ?? 0;
  const forecaster = fitForecaster(units, set.at, parameters);
  const intervals = calibrate(units, set.at, horizon, forecaster);
  const points = set.histories.map((h) => forecaster(h, horizon));
  const bands = set.histories.map((h, i) => interval(h, points[i], intervals));
  return {
    wape: wape(set.actuals, points),
    mase: mase(set.actuals, points, set.histories),
    coverage: coverage(
      set.actuals,
      bands.map((b) => b.p10),
      bands.map((b) => b.p90),
    ),
  };
}

/** The settings tried on the validation cuts: the median blends, then the pooled forecasters. */
export const PARAMETER_GRID: ModelParameters[] = [
  ...[[8], [4, 8, 12], [4, 8, 12, 26], [8, 12, 26]].flatMap((windows) =>
    [0.8, 0.9, 1, 1.1].map((scale): ModelParameters => ({ kind: 'median-blend', windows, scale })),
  ),
  ...[2, 3].flatMap((depth) =>
    [100, 200].map((trees): ModelParameters => ({ kind: 'pooled', ...POOLED_BASE, depth, trees })),
  ),
];

/** The grid's settings with the lowest mean WAPE over the validation cuts (first wins ties), and every trial. */
export function tune(
  units: WeeklyUnits,
  sets: CutSet[],
  grid: ModelParameters[] = PARAMETER_GRID,
  onTrial?: (done: number) => void,
) {
  const trials = grid.map((parameters, i) => {
    const perCut = sets.map((s) => score(s, fitForecaster(units, s.at, parameters)).wape);
    onTrial?.(i + 1);
    return { parameters, perCut, wape: perCut.reduce((a, b) => a + b, 0) / perCut.length };
  });
  const best = trials.reduce((a, b) => (b.wape < a.wape - 1e-12 ? b : a));
  return { ...best, trials };
}
