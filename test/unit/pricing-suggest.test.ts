import { describe, expect, it } from '@jest/globals';
import type { PricingEntry } from '../../ml/src/insights/contract';
import { suggestPrice } from '../../ml/src/pricing/suggest';

/** Sold between £2.00 and £3.00 over 30 weeks, unit cost £1.50. */
const entry = (over: Partial<PricingEntry> = {}): PricingEntry => ({
  observations: 30,
  minObservedPrice: 2,
  maxObservedPrice: 3,
  unitCost: 1.5,
  ...over,
});

describe('suggestPrice', () => {
  it('suggests the margin-maximising price c·e/(1+e) for an elastic product', () => {
    // e = −3: p* = 1.5 · 3 / 2 = 2.25.
    const s = suggestPrice(entry({ elasticity: -3, interval: [-4, -2] }), 2.8);
    expect(s.suggestedPrice).toBe(2.25);
    expect(s.reason).toMatch(/^Suggest £2\.25 \(-20 % on £2\.80\)/);
    expect(s.reason).toContain('elasticity -3.00, 95 % interval -4.00 to -2.00');
    expect(s.reason).toContain('unit cost of £1.50');
  });

  it('clamps to the prices the store has charged', () => {
    // e = −1.5: p* = 1.5 · 1.5 / 0.5 = 4.50, above £3.00.
    const high = suggestPrice(entry({ elasticity: -1.5, interval: [-2, -1.1] }), 2.5);
    expect(high.suggestedPrice).toBe(3);
    expect(high.reason).toContain('above the highest price charged (£3.00)');
    // e = −6: p* = 1.5 · 6 / 5 = 1.80, below £2.00.
    const low = suggestPrice(entry({ elasticity: -6, interval: [-8, -4] }), 2.5);
    expect(low.suggestedPrice).toBe(2);
    expect(low.reason).toContain('below the lowest price charged (£2.00)');
  });

  it('suggests the top of the observed range for an inelastic product', () => {
    const s = suggestPrice(entry({ elasticity: -0.5, interval: [-0.9, -0.1] }), 2.2);
    expect(s.suggestedPrice).toBe(3);
    expect(s.reason).toContain('inelastic');
    expect(s.reason).toContain('highest price the store has charged, £3.00');
  });

  it('says not enough evidence when the interval includes zero', () => {
    const s = suggestPrice(entry({ elasticity: -1.2, interval: [-2.6, 0.2] }), 2.5);
    expect(s.suggestedPrice).toBeUndefined();
    expect(s.reason).toMatch(/^Not enough evidence: .*includes zero/);
  });

  it('does not act on a positive elasticity', () => {
    const s = suggestPrice(entry({ elasticity: 1.4, interval: [0.3, 2.5] }), 2.5);
    expect(s.suggestedPrice).toBeUndefined();
    expect(s.reason).toMatch(/^Not enough evidence: units rose with price \(elasticity \+1\.40/);
  });

  it('suggests nothing within 1 % of the current price', () => {
    const s = suggestPrice(entry({ elasticity: -3, interval: [-4, -2] }), 2.26);
    expect(s.suggestedPrice).toBeUndefined();
    expect(s.reason).toMatch(/^Keep £2\.26: .*within 1 % of it\.$/);
    // Just outside 1 %: a suggestion.
    expect(suggestPrice(entry({ elasticity: -3, interval: [-4, -2] }), 2.28).suggestedPrice).toBe(2.25);
  });

  it('says why an unfitted product has no suggestion', () => {
    expect(suggestPrice(entry({ observations: 5 }), 2.5).reason).toMatch(/only 5 weeks .*12 needed/);
    expect(suggestPrice(entry({ minObservedPrice: 2.5, maxObservedPrice: 2.5 }), 2.5).reason).toMatch(
      /stayed at £2\.50 in all 30 weeks/,
    );
    expect(suggestPrice(entry(), 2.5).reason).toMatch(/moved only between £2\.00 and £3\.00/);
    expect(suggestPrice(entry(), 2.5).suggestedPrice).toBeUndefined();
  });
});
