import { describe, expect, it } from '@jest/globals';
import { naiveLastWeek } from '../../ml/src/forecast/baselines';
import { fitBoostedTrees, predictBoosted, weightedMedian } from '../../ml/src/forecast/boosting';
import { FEATURE_NAMES, logMean, productFeatures, productScale, storeUnits } from '../../ml/src/forecast/features';
import {
  DEFAULT_FORECAST_PARAMETERS,
  DEFAULT_MODEL,
  fitForecaster,
  forecast,
  modelAt,
  POOLED_BASE,
} from '../../ml/src/forecast/model';
import { fitPooled } from '../../ml/src/forecast/pooled';
import { cutSet, PARAMETER_GRID, score, tune } from '../../ml/src/forecast/protocol';
import type { WeeklyUnits } from '../../ml/src/forecast/units';
import { seededRandom } from '../../ml/src/random';

const arr = (...values: number[]) => Float64Array.from(values);

describe('weighted median', () => {
  it('is the smallest value holding half the weight', () => {
    expect(weightedMedian(arr(3, 1, 2), arr(1, 1, 1))).toBe(2);
    expect(weightedMedian(arr(1, 2, 3, 4), arr(1, 1, 1, 1))).toBe(2);
    expect(weightedMedian(arr(1, 2, 3, 100), arr(1, 1, 1, 10))).toBe(100);
    expect(weightedMedian(arr(5, 5, 5, 1), arr(1, 1, 1, 1))).toBe(5);
    expect(weightedMedian(arr(), arr())).toBe(0);
  });

  it('agrees with sorting on random data', () => {
    const random = seededRandom(5);
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(random() * 40);
      const v = Float64Array.from({ length: n }, () => Math.floor(random() * 10));
      const w = Float64Array.from({ length: n }, () => 0.1 + random());
      const order = [...v.keys()].sort((a, b) => v[a] - v[b]);
      const half = w.reduce((a, b) => a + b, 0) / 2;
      let sum = 0;
      const expected = v[order.find((i) => (sum += w[i]) >= half)!];
      expect(weightedMedian(Float64Array.from(v), Float64Array.from(w))).toBe(expected);
    }
  });
});

describe('boosted trees under absolute loss', () => {
  const options = { trees: 30, depth: 2, learningRate: 0.5, bins: 16, minLeafWeight: 4 };

  it('learns a step, and a few huge targets do not move it (the median, not the mean)', () => {
    const features = Array.from({ length: 100 }, (_, i) => arr(i / 10, (i * 7) % 3));
    // y = 2 below x = 5, 10 above; every tenth row of the upper half has a huge order among its targets.
    const targets = features.map((x, i) =>
      arr(x[0] > 5 ? 10 : 2, x[0] > 5 ? 10 : 2, i % 10 === 0 ? 1000 : x[0] > 5 ? 10 : 2),
    );
    const model = fitBoostedTrees({ features, targets, weights: features.map(() => 1) }, options);
    expect(predictBoosted(model, arr(1, 0))).toBeCloseTo(2, 1);
    expect(predictBoosted(model, arr(8, 1))).toBeCloseTo(10, 1);
  });

  it('weighs rows: the heavier rows set the level', () => {
    const features = Array.from({ length: 40 }, () => arr(1));
    const targets = features.map((_, i) => arr(i < 10 ? 50 : 5));
    const model = fitBoostedTrees({ features, targets, weights: features.map((_, i) => (i < 10 ? 10 : 1)) }, options);
    expect(predictBoosted(model, arr(1))).toBe(50);
    expect(() => fitBoostedTrees({ features: [], targets: [], weights: [] }, options)).toThrow(/No training rows/);
  });
});

describe("a product's features", () => {
  it('reads levels in the scale of the last 12 weeks, and the weeks since the first sale', () => {
    // 20 weeks: nothing for 10, then 10 weeks of 4, 8, 4, 8, …: scale (mean of last 12) = 60 / 12 = 5.
    const history = Float64Array.from({ length: 20 }, (_, w) => (w < 10 ? 0 : w % 2 ? 8 : 4));
    const store = new Float64Array(20).fill(100);
    store.fill(200, 16);
    const x = productFeatures(history, store);
    const f = (name: (typeof FEATURE_NAMES)[number]) => x[FEATURE_NAMES.indexOf(name)];
    expect(x).toHaveLength(FEATURE_NAMES.length);
    expect(productScale(history)).toBe(5);
    expect(f('median 4 weeks')).toBe(6 / 5);
    expect(f('median 26 weeks')).toBe(2 / 5); // 10 weeks of 0, 5 of 4, 5 of 8: middle values 0 and 4
    expect(f('median since first sale')).toBe(6 / 5);
    expect(f('last week')).toBe(8 / 5);
    expect(f('weeks since first sale (at most 60)')).toBe(10);
    expect(f('share of the 12 weeks with sales')).toBe(10 / 12);
    expect(f("store's units, last 4 weeks over last 26")).toBe(2 / (2400 / 20 / 100));
    expect(logMean(arr(10, 10))).toBeCloseTo(10);
    expect(logMean(arr(0, 1000))).toBeLessThan(150);
  });

  it('sums the store', () => {
    expect(Array.from(storeUnits([arr(1, 2), arr(3, 4, 5)], 3))).toEqual([4, 6, 5]);
  });
});

/** 60 weeks of products whose level steps up or down at random weeks, with lumpy big orders. */
function steppingUnits(): WeeklyUnits {
  const random = seededRandom(11);
  const weeks = 60;
  const series = new Map<string, Float64Array>();
  for (let p = 0; p < 120; p++) {
    const launch = random() < 0.3 ? 30 + Math.floor(random() * 25) : 0;
    const level = 5 + 40 * random();
    series.set(
      `P${p}`,
      Float64Array.from({ length: weeks }, (_, w) =>
        w < launch ? 0 : Math.round(level * (0.5 + random()) + (random() < 0.1 ? 20 * level : 0)),
      ),
    );
  }
  return { origin: '2010-11-29', weeks, series };
}

describe('the pooled forecaster', () => {
  const units = steppingUnits();
  const parameters = { kind: 'pooled' as const, ...POOLED_BASE, depth: 2, trees: 30, products: 100 };

  it('trains on past cuts only, forecasts flat and non-negative, and beats the naive forecast', () => {
    const set = cutSet(units, '2011-08-29', 8); // week 39
    const forecaster = fitForecaster(units, set.at, parameters);
    const f = forecaster(set.histories[0], 8);
    expect(f).toHaveLength(8);
    expect(new Set(f).size).toBe(1);
    expect(f[0]).toBeGreaterThanOrEqual(0);
    expect(score(set, forecaster).wape).toBeLessThan(score(set, naiveLastWeek).wape);
    // Training reads no week at or after the cut: changing them changes nothing.
    const changed: WeeklyUnits = {
      ...units,
      series: new Map([...units.series].map(([id, r]) => [id, r.map((v, w) => (w >= set.at ? v * 3 : v))])),
    };
    expect(fitForecaster(changed, set.at, parameters)(set.histories[5], 8)).toEqual(forecaster(set.histories[5], 8));
  });

  it('needs enough weeks to train: before them the median blend stands in', () => {
    expect(() => fitPooled(units, 20, parameters)).toThrow(/Too few weeks/);
    expect(modelAt(20, parameters)).toEqual({ kind: 'median-blend', ...DEFAULT_FORECAST_PARAMETERS });
    expect(modelAt(21, parameters)).toBe(parameters);
    const history = units.series.get('P0')!.subarray(0, 20);
    expect(fitForecaster(units, 20, parameters)(history, 2)).toEqual(forecast(history, 2, DEFAULT_FORECAST_PARAMETERS));
  });

  it('tune: the lowest mean WAPE over the cuts, every trial reported', () => {
    const sets = ['2011-07-04', '2011-08-01'].map((c) => cutSet(units, c, 8));
    const grid = [PARAMETER_GRID[0], parameters];
    const best = tune(units, sets, grid);
    expect(best.trials).toHaveLength(2);
    expect(best.wape).toBe(Math.min(...best.trials.map((t) => t.wape)));
    expect(DEFAULT_MODEL.kind).toBe('pooled');
  });
});
