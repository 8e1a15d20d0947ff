/**
 * Reorder suggestions on hand-made stock and forecasts: the rule (p90 demand over lead time + review, less what
 * is available), which products are listed and in what order, the message stating the rule, batches of 500 to
 * the model, and insights that still answer when the model or the stock table does not.
 */
import { describe, expect, it } from '@jest/globals';
import {
  coverOf,
  MAX_REORDER_ITEMS,
  PROTECTION_WEEKS,
  reorderInsight,
  SERVICE_LEVEL,
  shortOfCover,
} from '../../functions/analytics/domain/reorder';
import { reorderInsights } from '../../functions/analytics/domain/reorder-insights';
import { InsightsUnavailableError, type DemandInsightsModel } from '../../functions/analytics/ports';
import { Insight } from '../../functions/analytics/schemas';

/** Four weeks of the same forecast: `units` a week with p90 `p90`. */
const flat = (units: number, p90: number) =>
  Array.from({ length: 6 }, (_, i) => ({
    weekStart: `2011-12-${String(5 + 7 * i).padStart(2, '0')}`,
    units,
    p10: units / 2,
    p90,
  }));

describe('the reorder rule', () => {
  it('suggests the p90 demand over lead time + review less what is available, with weeks of cover at the mean', () => {
    // 4 weeks × p90 30 = 120 to cover; 50 available: order 70; cover 50 / 20 = 2.5 weeks.
    expect(coverOf({ productId: 'A', available: 50, weeks: flat(20, 30) })).toEqual({
      productId: 'A',
      available: 50,
      weeklyUnits: 20,
      weeksOfCover: 2.5,
      demandAtService: 120,
      suggestedQuantity: 70,
    });
    expect(PROTECTION_WEEKS).toBe(4);
  });

  it('rounds the order up, counts stock below zero as none, and lists nothing that is covered', () => {
    expect(coverOf({ productId: 'A', available: 0, weeks: flat(1, 2.1) })?.suggestedQuantity).toBe(9);
    expect(coverOf({ productId: 'A', available: -5, weeks: flat(1, 2) })).toMatchObject({
      available: 0,
      suggestedQuantity: 8,
      weeksOfCover: 0,
    });
    expect(coverOf({ productId: 'A', available: 120, weeks: flat(20, 30) })).toBeUndefined();
    expect(coverOf({ productId: 'A', available: 0, weeks: flat(0, 0) })).toBeUndefined();
    expect(coverOf({ productId: 'A', available: 0, weeks: flat(5, 9).slice(0, 3) })).toBeUndefined();
  });

  it('lists the least cover first, the larger order on a tie, at most ten', () => {
    const products = [
      { productId: 'covered', available: 500, weeks: flat(10, 20) },
      { productId: 'half', available: 40, weeks: flat(20, 30) },
      { productId: 'none-small', available: 0, weeks: flat(1, 2) },
      { productId: 'none-large', available: 0, weeks: flat(10, 20) },
      ...Array.from({ length: 12 }, (_, i) => ({ productId: `z${i}`, available: 30, weeks: flat(10, 20) })),
    ];
    const short = shortOfCover(products);
    expect(short).toHaveLength(MAX_REORDER_ITEMS);
    expect(short.slice(0, 3).map((s) => s.productId)).toEqual(['none-large', 'none-small', 'half']);
    expect(short.map((s) => s.productId)).not.toContain('covered');
  });

  it('states the rule, the service level and the arithmetic in the finding', () => {
    const insight = reorderInsight(
      coverOf({ productId: 'A', available: 50, weeks: flat(20, 30) })!,
      'Mug',
      '2011-12-05',
    );
    expect(Insight.safeParse(insight).success).toBe(true);
    expect(insight).toMatchObject({
      kind: 'reorder',
      productId: 'A',
      metric: 2.5,
      weeksOfCover: 2.5,
      suggestedQuantity: 70,
      serviceLevel: SERVICE_LEVEL,
      available: 50,
    });
    expect(insight.message).toContain('Mug has 50 available, about 2.5 weeks of cover');
    expect(insight.message).toContain('Suggested order: 70 units');
    expect(insight.message).toMatch(/2 weeks' lead time and a 2-week review period .* 90 %/);
    expect(insight.message).toContain('120 − 50');
  });
});

describe('reorder findings from stock and the model', () => {
  const stockOf = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`p${String(i).padStart(4, '0')}`, 0]));

  function model(calls: string[][]): DemandInsightsModel {
    const unused = () => Promise.reject(new Error('unused'));
    return {
      forecast: async (ids, weeks) => {
        calls.push([...ids]);
        expect(weeks).toBe(PROTECTION_WEEKS);
        // The model knows every other product.
        const known = ids.filter((_, i) => i % 2 === 0);
        return {
          asOf: '2011-12-05',
          items: known.map((productId) => ({ productId, weeks: flat(1, 2).slice(0, weeks), history: [] })),
          unknown: ids.filter((_, i) => i % 2 === 1),
        };
      },
      segments: unused,
      segmentCustomers: unused,
      pricing: unused,
    };
  }
  const log = () => {
    const warnings: string[] = [];
    return { warnings, warn: (m: string) => void warnings.push(m) };
  };
  const catalog = {
    get: async () => undefined,
    getMany: async (ids: readonly string[]) =>
      new Map(ids.map((id) => [id, { id, name: `Name of ${id}`, price: 100, currency: 'GBP' }])),
  };

  it('asks the model 500 products a call, skips products it never saw and names the rest from the catalog', async () => {
    const calls: string[][] = [];
    const found = await reorderInsights({
      model: model(calls),
      catalog,
      stock: { available: async () => stockOf(1201) },
      log: log(),
    });
    expect(calls.map((c) => c.length)).toEqual([500, 500, 201]);
    expect(found.status).toBe('included');
    expect(found.items).toHaveLength(MAX_REORDER_ITEMS);
    expect(found.items[0].message).toContain('Name of p0000');
  });

  it('leaves the suggestions out, saying why, when the model or the stock table fails', async () => {
    const l = log();
    const down = {
      ...model([]),
      forecast: () => Promise.reject(new InsightsUnavailableError('timeout', 'slow')),
    };
    expect(
      await reorderInsights({ model: down, catalog, stock: { available: async () => stockOf(3) }, log: l }),
    ).toEqual({
      items: [],
      status: 'model-unavailable',
    });
    const noTable = { available: () => Promise.reject(new Error('ResourceNotFoundException')) };
    expect(await reorderInsights({ model: model([]), catalog, stock: noTable, log: l })).toEqual({
      items: [],
      status: 'stock-unavailable',
    });
    expect(l.warnings).toHaveLength(2);
  });
});
