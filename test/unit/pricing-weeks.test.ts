import { describe, expect, it } from '@jest/globals';
import { toIsoUtc } from '../../catalog-data/invoice-lines';
import { eligibility, logPriceSd } from '../../ml/src/pricing/eligibility';
import { observedWeeks, PriceWeeksBuilder, type PriceLine } from '../../ml/src/pricing/weeks';

const line = (over: Partial<PriceLine> & { quantity: number; unitPrice: number; day: string }): PriceLine => ({
  invoiceNo: '536365',
  stockCode: '85123A',
  description: 'WHITE HANGING HEART',
  customerId: '17850',
  invoiceDate: toIsoUtc(`${over.day}T10:00:00`),
  ...over,
});

describe('product-weeks with units and the price paid', () => {
  // Weeks from Monday 2011-09-05: week 0 is 5–11 September, week 1 12–18 September.
  const build = (lines: PriceLine[]) => {
    const b = new PriceWeeksBuilder('2011-09-05', 3);
    lines.forEach((l) => b.add(l));
    return b.build();
  };

  it('prices a week at the units-weighted mean of its retail-size lines, counting every line in units', () => {
    const weeks = build([
      line({ quantity: 2, unitPrice: 3, day: '2011-09-05' }),
      line({ quantity: 6, unitPrice: 2.5, day: '2011-09-11' }), // Sunday: same week
      line({ quantity: 100, unitPrice: 1.8, day: '2011-09-07' }), // wholesale tier: units, not price
      line({ quantity: 12, unitPrice: 2.5, day: '2011-09-12' }), // Monday: next week; 12 is still retail-size
    ]);
    const a = weeks.products.get('85123A')!;
    expect(Array.from(a.units)).toEqual([108, 12, 0]);
    expect(a.price[0]).toBeCloseTo((2 * 3 + 6 * 2.5) / 8, 12);
    expect(a.price[1]).toBe(2.5);
    expect(a.price[2]).toBeNaN();
    expect(a.anyPrice[0]).toBeCloseTo((2 * 3 + 6 * 2.5 + 100 * 1.8) / 108, 12);
    expect(observedWeeks(a, 0, 3)).toEqual([0, 1]);
  });

  it('leaves a week with only wholesale lines without a price', () => {
    const a = build([line({ quantity: 48, unitPrice: 1.65, day: '2011-09-06' })]).products.get('85123A')!;
    expect(a.units[0]).toBe(48);
    expect(a.price[0]).toBeNaN();
    expect(observedWeeks(a, 0, 3)).toEqual([]);
  });

  it('drops cancellations, returns, free lines, postage and lines outside the weeks', () => {
    const weeks = build([
      line({ invoiceNo: 'C536379', quantity: 5, unitPrice: 2, day: '2011-09-05' }),
      line({ quantity: -5, unitPrice: 2, day: '2011-09-05' }),
      line({ quantity: 5, unitPrice: 0, day: '2011-09-05' }),
      line({ stockCode: 'POST', description: 'POSTAGE', quantity: 1, unitPrice: 18, day: '2011-09-05' }),
      line({ quantity: 5, unitPrice: 2, day: '2011-09-04' }),
      line({ quantity: 5, unitPrice: 2, day: '2011-09-26' }),
    ]);
    expect(weeks.products.size).toBe(0);
  });

  it('keeps lines without a customer out of demand and price, but in the range a product was sold at', () => {
    const a = build([line({ customerId: undefined, quantity: 3, unitPrice: 5.79, day: '2011-09-05' })]).products.get(
      '85123A',
    )!;
    expect(a.units[0]).toBe(0);
    expect(a.price[0]).toBeNaN();
    expect(a.anyPrice[0]).toBe(5.79);
  });
});

describe('enough price variation to fit', () => {
  const weeksAt = (...levels: [number, number][]) => levels.flatMap(([price, n]) => Array<number>(n).fill(price));

  it('needs 12 weeks, two price levels of 3 weeks each and 3 % variation in log price', () => {
    expect(eligibility(weeksAt([2.95, 8], [2.55, 3]))).toEqual({ fit: false, why: 'few-weeks' });
    expect(eligibility(weeksAt([2.95, 10], [2.55, 2]))).toEqual({ fit: false, why: 'few-levels' });
    expect(eligibility(weeksAt([2.95, 9], [2.96, 3]))).toEqual({ fit: false, why: 'little-variation' });
    expect(eligibility(weeksAt([2.95, 9], [2.55, 3]))).toEqual({ fit: true });
  });

  it('measures variation as the standard deviation of log price', () => {
    expect(logPriceSd([1, 1, 1])).toBe(0);
    expect(logPriceSd([1, Math.E])).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
