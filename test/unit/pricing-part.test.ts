import { describe, expect, it } from '@jest/globals';
import { toIsoUtc } from '../../catalog-data/invoice-lines';
import { addWeeks } from '../../ml/src/forecast/weeks';
import { PricingPart } from '../../ml/src/insights/contract';
import { buildPricingPart } from '../../ml/src/pricing/part';
import { suggestPrice } from '../../ml/src/pricing/suggest';
import type { PriceLine } from '../../ml/src/pricing/weeks';
import { seededRandom } from '../../ml/src/random';

// The part's weeks start at the dataset's first Monday, 2010-11-29.
const ORIGIN = '2010-11-29';
const AS_OF = addWeeks(ORIGIN, 24);

const line = (stockCode: string, week: number, quantity: number, unitPrice: number, customerId = '12345') => ({
  invoiceNo: `5${week}${stockCode}`,
  stockCode,
  description: `PRODUCT ${stockCode}`,
  quantity,
  unitPrice,
  customerId,
  invoiceDate: toIsoUtc(`${addWeeks(ORIGIN, week)}T11:00:00`),
});

/** Eight products whose list prices switch between £2.00 and £2.60, demand with elasticity −2; and some others. */
function store(): PriceLine[] {
  const random = seededRandom(7);
  const lines: PriceLine[] = [];
  for (let p = 0; p < 8; p++) {
    let price = 2;
    for (let w = 0; w < 24; w++) {
      if (w % 3 === 0) price = random() < 0.5 ? 2 : 2.6;
      const units = Math.round(Math.exp(5 - 2 * Math.log(price) + 0.3 * Math.sin(w) + 0.1 * (random() - 0.5)));
      for (let left = units; left > 0; left -= 6) lines.push(line(`2100${p}`, w, Math.min(6, left), price));
    }
  }
  for (let w = 0; w < 5; w++) lines.push(line('22000', w, 3, 1.25)); // five weeks only
  lines.push(line('22001', 2, 48, 0.85)); // a wholesale lot only: no retail price
  lines.push(line('22002', 24, 6, 1)); // sold from asOf on: not in the part
  lines.push({ ...line('POST', 3, 1, 18), description: 'POSTAGE' });
  return lines;
}

describe('the pricing part', () => {
  it('fits the products with price variation and parses with the contract', async () => {
    const part = await buildPricingPart(store(), AS_OF);
    expect(PricingPart.parse(part)).toEqual(part);
    expect(Object.keys(part.products).sort()).toEqual([
      ...Array.from({ length: 8 }, (_, p) => `2100${p}`),
      '22000',
      '22001',
    ]);
    for (let p = 0; p < 8; p++) {
      const e = part.products[`2100${p}`];
      expect(e.observations).toBe(24);
      expect([e.minObservedPrice, e.maxObservedPrice]).toEqual([2, 2.6]);
      expect(e.elasticity).toBeGreaterThan(-2.5);
      expect(e.elasticity).toBeLessThan(-1.5);
      expect(e.interval![0]).toBeLessThan(e.elasticity!);
      expect(e.interval![1]).toBeLessThan(0);
    }
    expect(part.metrics).toMatchObject({ productsWithSales: 10, productsFitted: 8, intervalExcludesZero: 8 });
  });

  it('records products without enough evidence, and what they were sold at', async () => {
    const part = await buildPricingPart(store(), AS_OF);
    expect(part.products['22000']).toEqual({
      observations: 5,
      minObservedPrice: 1.25,
      maxObservedPrice: 1.25,
      unitCost: 0.75,
    });
    expect(part.products['22001']).toMatchObject({ observations: 0, minObservedPrice: 0.85, maxObservedPrice: 0.85 });
    expect(suggestPrice(part.products['22000'], 1.25).reason).toMatch(/only 5 weeks/);
    expect(part.unitCostRule).toMatch(/60 %/);
  });

  it('suggests a price for an elastic product from the part', async () => {
    const part = await buildPricingPart(store(), AS_OF);
    const e = part.products['21000'];
    const s = suggestPrice(e, 2.6);
    // Unit cost 60 % of the median price; p* = c·e/(1+e) clamped to £2.00–£2.60.
    const optimum = (e.unitCost * e.elasticity!) / (1 + e.elasticity!);
    expect(s.suggestedPrice).toBe(Math.round(Math.min(2.6, Math.max(2, optimum)) * 100) / 100);
  });

  it('reads batches of lines as it reads lines', async () => {
    async function* batches() {
      yield store().slice(0, 500);
      yield store().slice(500);
    }
    const [a, b] = [await buildPricingPart(store(), AS_OF), await buildPricingPart(batches(), AS_OF)];
    expect(b.products).toEqual(a.products);
  });

  it('refuses an asOf that is not a Monday', async () => {
    await expect(buildPricingPart(store(), '2011-05-11')).rejects.toThrow(/not a Monday/);
  });
});
