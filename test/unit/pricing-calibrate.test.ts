import { describe, expect, it } from '@jest/globals';
import { fitCalibrated, shiftedPrices } from '../../ml/src/pricing/calibrate';
import { fitDemand } from '../../ml/src/pricing/fit';
import { seededRandom } from '../../ml/src/random';
import { syntheticStore } from '../../ml/src/pricing/synthetic';
import type { PriceWeeks } from '../../ml/src/pricing/weeks';

const excluding = (fit: ReturnType<typeof fitDemand>) =>
  [...fit.products.values()].filter((p) => p.line && (p.line.interval[0] > 0 || p.line.interval[1] < 0)).length;

/** Price does nothing; each product's demand drifts, and its price steps once: the chance correlations HC3 misses. */
function driftingStore(): PriceWeeks {
  const { data } = syntheticStore({ products: 120, weeks: 40, elasticity: () => 0, noise: 0.2, seed: 5 });
  const random = seededRandom(11);
  for (const p of data.products.values()) {
    const drift = 3 * (random() - 0.5);
    const step = 10 + Math.floor(random() * 20);
    const cut = random() < 0.5 ? 0.8 : 1.25;
    for (let w = 0; w < 40; w++) {
      p.units[w] *= Math.exp((drift * w) / 40);
      p.price[w] = 2 * (w >= step ? cut : 1);
    }
  }
  return data;
}

describe('placebo-calibrated intervals', () => {
  it('rotates each product’s prices over its priced weeks, keeping their values', () => {
    const { data } = syntheticStore({ products: 2, weeks: 12, elasticity: () => -1, noise: 0.1 });
    const shifted = shiftedPrices(data, 0, 12, 1 / 3);
    for (const [id, p] of data.products) {
      const q = shifted.products.get(id)!;
      expect(Array.from(q.price).sort()).toEqual(Array.from(p.price).sort());
      expect(q.price[0]).toBe(p.price[4]);
      expect(Array.from(q.units)).toEqual(Array.from(p.units));
    }
  });

  it('leaves independent weeks’ intervals about as they are', () => {
    const { data } = syntheticStore({ products: 100, weeks: 40, elasticity: () => -1.5, noise: 0.2 });
    const c = fitCalibrated(data, 0, 40).calibration;
    expect(c.placeboFits).toBe(300);
    expect(c.placeboRate).toBeLessThan(0.12);
    expect(c.factor).toBeLessThan(1.3);
  });

  it('widens them where drifting demand and step prices fake an elasticity', () => {
    const data = driftingStore();
    const raw = excluding(fitDemand(data, 0, 40, true));
    const { fit, calibration } = fitCalibrated(data, 0, 40);
    expect(raw).toBeGreaterThan(0.15 * 120);
    expect(calibration.placeboRate).toBeGreaterThan(0.15);
    expect(calibration.factor).toBeGreaterThan(1.3);
    expect(excluding(fit)).toBeLessThan(0.8 * raw);
  });
});
