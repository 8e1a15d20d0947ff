import { describe, expect, it } from '@jest/globals';
import { fitDemand } from '../../ml/src/pricing/fit';
import { evaluateHoldout } from '../../ml/src/pricing/holdout';
import { fitLine, normalQuantile, tQuantile } from '../../ml/src/pricing/regression';
import { syntheticStore } from '../../ml/src/pricing/synthetic';

describe('the regression', () => {
  it('has the normal and Student t quantiles of the tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959964, 5);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228, 2);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
  });

  it('fits an exact line with a zero-width interval, and refuses a constant x', () => {
    const fit = fitLine([0, 1, 2, 3], [1, 3, 5, 7])!;
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.interval[1] - fit.interval[0]).toBeLessThan(1e-9);
    expect(fitLine([1, 1, 1, 1], [1, 2, 3, 4])).toBeUndefined();
  });

  it('widens the HC3 interval with the noise, around the slope', () => {
    const x = Array.from({ length: 20 }, (_, i) => i % 5);
    const y = x.map((v, i) => 2 * v + (i % 2 ? 1 : -1));
    const fit = fitLine(x, y)!;
    expect(fit.interval[0]).toBeLessThan(fit.slope);
    expect(fit.interval[1]).toBeGreaterThan(fit.slope);
    expect(fit.slopeSe).toBeGreaterThan(0);
  });
});

describe('log-log demand with week effects', () => {
  it('recovers known elasticities under a strong season, the 95 % intervals covering them', () => {
    const truth = (i: number) => [-2.5, -1.5, -0.6, 0][i % 4];
    const { data, weekEffect } = syntheticStore({ products: 80, weeks: 40, elasticity: truth, noise: 0.15 });
    const fit = fitDemand(data, 0, 40, true);
    let covered = 0;
    [...fit.products.values()].forEach((p, i) => {
      expect(p.line).toBeDefined();
      expect(Math.abs(p.line!.slope - truth(i))).toBeLessThan(0.6);
      if (p.line!.interval[0] <= truth(i) && truth(i) <= p.line!.interval[1]) covered++;
    });
    // 95 % intervals: about 76 of 80; fewer than 68 would mean they are too narrow.
    expect(covered).toBeGreaterThanOrEqual(68);
    // The week effects are the season, up to a constant.
    const shift = fit.weekEffects[0] - weekEffect[0];
    weekEffect.forEach((g, w) => expect(fit.weekEffects[w] - shift).toBeCloseTo(g, 1));
  });

  it('does not read the season as elasticity when prices are cut in the high season', () => {
    const { data } = syntheticStore({ products: 40, weeks: 40, elasticity: () => -1, noise: 0.1, seed: 3 });
    const noise = (i: number, w: number) => 0.1 * Math.sin(w * 7.3 + i * 1.7);
    [...data.products.values()].forEach((p, i) => {
      for (let w = 0; w < 40; w++) {
        const season = Math.sin((2 * Math.PI * w) / 26);
        // Half the products are cut by 20 % in the high season; all switch a 10 % step every 4 weeks.
        p.price[w] = 2 * (i % 2 && season > 0.3 ? 0.8 : 1) * ((w >> 2) % 2 ? 1.1 : 1);
        p.units[w] = Math.exp(3 - Math.log(p.price[w]) + 0.8 * season + noise(i, w));
      }
    });
    const fit = fitDemand(data, 0, 40, true);
    [...fit.products.values()].forEach((p, i) => {
      expect(p.line!.slope).toBeGreaterThan(-1.3);
      expect(p.line!.slope).toBeLessThan(-0.7);
      // Without the week effects the seasonal cut reads as a much stronger response.
      const naive = fitLine(
        p.prices.map(Math.log),
        p.weeks.map((w) => Math.log(data.products.get([...data.products.keys()][i])!.units[w])),
      )!;
      if (i % 2) expect(naive.slope).toBeLessThan(-2);
    });
  });

  it('predicts held-out weeks better with the price term when prices move demand', () => {
    const { data } = syntheticStore({ products: 60, weeks: 40, elasticity: () => -2, noise: 0.2 });
    const result = evaluateHoldout(data, 28, 40);
    expect(result.fitted).toBe(60);
    expect(result.all.products).toBe(60);
    expect(result.all.withPrice.rmseLog).toBeLessThan(result.all.withoutPrice.rmseLog);
    expect(result.all.withPrice.rmseLog).toBeLessThan(0.35);
  });

  it('does not beat the model without price when price does nothing', () => {
    const { data } = syntheticStore({ products: 60, weeks: 40, elasticity: () => 0, noise: 0.3 });
    const result = evaluateHoldout(data, 28, 40);
    expect(result.all.withPrice.rmseLog).toBeGreaterThan(result.all.withoutPrice.rmseLog - 0.02);
  });
});
