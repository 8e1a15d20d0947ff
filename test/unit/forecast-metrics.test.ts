import { describe, expect, it } from '@jest/globals';
import { meanOfLast, medianOfLast, naiveLastWeek } from '../../ml/src/forecast/baselines';
import { calibrate, interval, quantile } from '../../ml/src/forecast/intervals';
import { coverage, mase, naiveScale, wape } from '../../ml/src/forecast/metrics';
import { forecast, level } from '../../ml/src/forecast/model';
import { cutSet, score } from '../../ml/src/forecast/protocol';
import type { WeeklyUnits } from '../../ml/src/forecast/units';
import { seededRandom } from '../../ml/src/random';

const arr = (...values: number[]) => Float64Array.from(values);

describe('WAPE and MASE on a worked example', () => {
  // Product 1: actual [10, 0], forecast [8, 2]: errors 2 + 2. Product 2: actual [5, 5], forecast [5, 9]: 0 + 4.
  const actual = [arr(10, 0), arr(5, 5)];
  const forecasts = [arr(8, 2), arr(5, 9)];

  it('WAPE: total absolute error over total units', () => {
    expect(wape(actual, forecasts)).toBeCloseTo(8 / 20);
    expect(wape([arr(0)], [arr(3)])).toBeNaN();
  });

  it("MASE: each product's mean error over its naive in-sample error, averaged", () => {
    // History 1: 4, 8, 2 → changes 4, 6 → scale 5; mean error 2 → 0.4. History 2: 5, 6 → scale 1; mean error 2 → 2.
    expect(naiveScale(arr(4, 8, 2))).toBe(5);
    expect(mase(actual, forecasts, [arr(4, 8, 2), arr(5, 6)])).toBeCloseTo((0.4 + 2) / 2);
    // A flat history has no scale and is left out.
    expect(mase(actual, forecasts, [arr(4, 8, 2), arr(5, 5)])).toBeCloseTo(0.4);
  });

  it('coverage: the share of actual weeks inside the band, bounds included', () => {
    expect(coverage(actual, [arr(10, 1), arr(0, 0)], [arr(12, 3), arr(4, 5)])).toBe(0.5);
  });
});

describe('the baselines', () => {
  const history = arr(1, 100, 3, 4, 5, 6, 7, 8, 2);
  it('naive, means and the (upper) median of the last weeks, flat over the horizon', () => {
    expect(Array.from(naiveLastWeek(history, 3))).toEqual([2, 2, 2]);
    expect(meanOfLast(4)(history, 1)[0]).toBe((6 + 7 + 8 + 2) / 4);
    expect(meanOfLast(12)(history, 1)[0]).toBe(136 / 9); // shorter history: its mean
    // Last 8: 100, 3, 4, 5, 6, 7, 8, 2 → sorted 2 3 4 5 6 7 8 100 → upper median 6.
    expect(medianOfLast(8)(history, 2)[1]).toBe(6);
    expect(naiveLastWeek(arr(), 1)[0]).toBe(0);
  });

  it('the model: a blend of window medians, scaled', () => {
    // Medians: last 2 → (8 + 2) / 2 = 5; last 4 → (6 + 7) / 2 = 6.5.
    expect(level(history, { windows: [2, 4], scale: 1 })).toBe(5.75);
    expect(forecast(history, 2, { windows: [2, 4], scale: 0.5 })[1]).toBe(2.875);
  });
});

describe('p10/p90 by conformal calibration', () => {
  it('takes quantiles of past scaled errors per horizon', () => {
    expect(quantile([3, 1, 2, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.9)).toBeCloseTo(9);
    const band = interval(arr(10, 10), arr(10, 10), { lower: [-0.5, -2], upper: [0.5, 1], samples: [1, 1] });
    expect(Array.from(band.p10)).toEqual([5, 0]); // never below 0
    expect(Array.from(band.p90)).toEqual([15, 20]);
  });

  it('covers about 80 % of future weeks of stationary demand', () => {
    const random = seededRandom(7);
    const weeks = 60;
    const series = new Map<string, Float64Array>();
    for (let p = 0; p < 200; p++) {
      const base = 5 + 50 * random();
      series.set(
        `P${p}`,
        Float64Array.from({ length: weeks }, () => Math.round(base * 2 * random())),
      );
    }
    const units: WeeklyUnits = { origin: '2010-11-29', weeks, series };
    const parameters = { windows: [4, 8, 12, 26], scale: 1 };
    const set = cutSet(units, '2011-09-05', 8); // week 40
    const model = calibrate(units, set.at, 8, (h, n) => forecast(h, n, parameters), {
      cuts: 8,
      products: 200,
      lowerQuantile: 0.1,
      upperQuantile: 0.9,
    });
    const bands = set.histories.map((h) => interval(h, forecast(h, 8, parameters), model));
    const share = coverage(
      set.actuals,
      bands.map((b) => b.p10),
      bands.map((b) => b.p90),
    );
    expect(share).toBeGreaterThan(0.74);
    expect(share).toBeLessThan(0.86);
    expect(score(set, (h, n) => forecast(h, n, parameters)).wape).toBeLessThan(score(set, naiveLastWeek).wape);
  });
});
