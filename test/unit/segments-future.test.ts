import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { fromInvoices, type Invoice } from '../../ml/src/data';
import { againstRandom, futureOf, groupMeans, spread } from '../../ml/src/segments/future';
import { seededRandom } from '../../ml/src/random';

const invoice = (invoiceNo: string, customerId: string, at: string, spend: number): Invoice => ({
  invoiceNo,
  customerId,
  at,
  time: Date.parse(at),
  lines: [{ productId: 'P', quantity: 1 }],
  spend,
});

describe('the check against the future', () => {
  it('counts repeat purchases and revenue within the days after the cut only', () => {
    const h = fromInvoices([
      invoice('1', 'A', '2011-08-01T10:00:00.000Z', 100),
      invoice('2', 'A', '2011-09-01T00:00:00.000Z', 40),
      invoice('3', 'A', '2011-10-01T00:00:00.000Z', 60),
      invoice('4', 'B', '2011-11-30T00:00:00.000Z', 70), // day 90: outside [cut, cut + 90 days)
      invoice('5', 'C', '2011-11-29T23:59:00.000Z', 5),
    ]);
    expect(futureOf(h, ['A', 'B', 'C', 'D'], '2011-09-01', 90)).toEqual([
      { bought: 1, revenue: 100 },
      { bought: 0, revenue: 0 },
      { bought: 1, revenue: 5 },
      { bought: 0, revenue: 0 },
    ]);
  });

  it('measures the spread across groups', () => {
    expect(groupMeans([0, 0, 1, 1], [1, 1, 0, 0], 2)).toEqual([
      { n: 2, mean: 1 },
      { n: 2, mean: 0 },
    ]);
    expect(spread([0, 0, 1, 1], [1, 1, 0, 0], 2)).toEqual({ between: 0.25, range: 1 });
    expect(spread([0, 1, 0, 1], [1, 1, 0, 0], 2)).toEqual({ between: 0, range: 0 });
  });

  it('beats random splits when the groups separate the outcome, and not when they do not', () => {
    const random = seededRandom(9);
    const labels = Array.from({ length: 600 }, (_, i) => i % 3);
    const separated = labels.map((l) => (random() < [0.8, 0.4, 0.1][l] ? 1 : 0));
    const s = againstRandom(labels, separated, 3, 200, 1);
    expect(s.observed.range).toBeGreaterThan(s.random.p95.range);
    expect(s.observed.between).toBeGreaterThan(3 * s.random.p95.between);
    expect(s.pValue).toBeCloseTo(1 / 201, 9);
    const unrelated = labels.map(() => (random() < 0.5 ? 1 : 0));
    const u = againstRandom(labels, unrelated, 3, 200, 1);
    expect(u.random.runs).toBe(200);
    expect(u.pValue).toBeGreaterThan(0.01);
  });
});
