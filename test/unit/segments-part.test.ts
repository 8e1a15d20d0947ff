import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { fromInvoices, type Invoice } from '../../ml/src/data';
import { SegmentsPart } from '../../ml/src/insights/contract';
import { assignSegment } from '../../ml/src/segments/assign';
import { customerFeatures } from '../../ml/src/segments/features';
import { SEGMENTATION_DEFAULTS } from '../../ml/src/segments/fit';
import { buildSegmentsPart } from '../../ml/src/segments/part';
import { seededRandom } from '../../ml/src/random';

const DAY = 86_400_000;
const CUT = Date.parse('2011-06-01T00:00:00Z');

/**
 * Three kinds of customer, 30 each: wholesale (weekly for a year, £500 orders of 30 products), lapsed
 * (one £20 order 200–300 days ago), new (one £30 order in the last two weeks).
 */
function history() {
  const random = seededRandom(4);
  const invoices: Invoice[] = [];
  let no = 1;
  const invoice = (customerId: string, daysBefore: number, spend: number, products: string[]) => {
    const time = CUT - daysBefore * DAY;
    const lines = products.map((productId, i) => ({ productId, quantity: 1 + ((no + i) % 3) }));
    invoices.push({ invoiceNo: String(no++), customerId, at: new Date(time).toISOString(), time, lines, spend });
  };
  for (let c = 0; c < 30; c++) {
    const products = Array.from({ length: 30 }, (_, i) => `W${(c + i) % 40}`);
    for (let w = 0; w < 50; w += 1 + Math.floor(random() * 2))
      invoice(`w${c}`, 2 + w * 7, 400 + random() * 200, products);
    invoice(`l${c}`, 200 + random() * 100, 15 + random() * 10, [`L${c % 5}`, 'W0']);
    invoice(`n${c}`, 1 + random() * 13, 25 + random() * 10, [`N${c % 4}`]);
  }
  // After the cut: ignored by the part.
  invoice('w0', -3, 10_000, ['LATE']);
  return fromInvoices(invoices);
}

const OPTIONS = { ...SEGMENTATION_DEFAULTS, ks: [2, 3, 4, 5], silhouetteSample: 500, stabilitySeeds: 2, bootstraps: 3 };

describe('buildSegmentsPart', () => {
  const h = history();
  const part = buildSegmentsPart(h, '2011-06-01', OPTIONS);

  it('parses with the contract, finds the three kinds and names them', () => {
    expect(SegmentsPart.parse(part)).toEqual(part);
    expect(part.asOf).toBe('2011-06-01');
    expect(part.metrics).toMatchObject({
      customers: 90,
      k: 3,
      ari: { seeds: { runs: 2, mean: 1 }, bootstrap: { runs: 3 } },
    });
    expect((part.metrics.byK as { k: number }[]).map((b) => b.k)).toEqual([2, 3, 4, 5]);
    expect(part.segments.map((s) => s.customers)).toEqual([30, 30, 30]);
    const [wholesale, second, third] = part.segments;
    expect(wholesale.name).toMatch(/^active frequent wholesale/);
    expect([second.name, third.name].sort()).toEqual([
      expect.stringMatching(/^lapsed one-off/),
      expect.stringMatching(/^new one-off/),
    ]);
    expect(new Set(part.segments.map((s) => s.segment)).size).toBe(3);
  });

  it('orders segments by value share, which sums to 1', () => {
    const shares = part.segments.map((s) => s.valueShare);
    expect([...shares].sort((a, b) => b - a)).toEqual(shares);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(part.segments[0].centroid.frequency).toBeGreaterThan(20);
  });

  it('lists each segment’s customers together, highest spend first, and its most bought products', () => {
    expect(part.customers).toHaveLength(90);
    const order = part.customers.map((c) => c.segment);
    expect(order).toEqual(part.segments.flatMap((s) => Array<string>(s.customers).fill(s.segment)));
    for (const s of part.segments) {
      const spend = part.customers.filter((c) => c.segment === s.segment).map((c) => c.monetary);
      expect([...spend].sort((a, b) => b - a)).toEqual(spend);
    }
    expect(part.segments[0].topProducts).toHaveLength(20);
    expect(part.segments[0].topProducts).not.toContain('LATE');
    const newcomers = part.segments.find((s) => s.name.startsWith('new'))!;
    expect([...newcomers.topProducts].sort()).toEqual(['N0', 'N1', 'N2', 'N3']);
  });

  it('assigns each customer, from its features, to the segment it was put in', () => {
    const segmentOf = new Map(part.customers.map((c) => [c.customerId, c.segment]));
    for (const c of customerFeatures(h, '2011-06-01'))
      expect(part.segments[assignSegment(part, c.features)].segment).toBe(segmentOf.get(c.customerId));
    const shopper = { recency: 3, frequency: 1, monetary: 30, tenure: 3, breadth: 1 };
    expect(part.segments[assignSegment(part, shopper)].name).toMatch(/^new/);
    const big = { recency: 5, frequency: 40, monetary: 30_000, tenure: 300, breadth: 35 };
    expect(assignSegment(part, big)).toBe(0);
  });
});

describe('buildSegmentsPart on tiny histories', () => {
  const at = (day: number) => new Date(CUT - day * DAY).toISOString();
  const one = (no: string, customerId: string, day: number, spend: number): Invoice => ({
    invoiceNo: no,
    customerId,
    at: at(day),
    time: CUT - day * DAY,
    lines: [{ productId: 'P', quantity: 1 }],
    spend,
  });

  it('still makes the contract’s two segments from two or a handful of customers', () => {
    for (const invoices of [
      [one('1', 'a', 5, 10), one('2', 'b', 100, 900)],
      [one('1', 'a', 5, 10), one('2', 'b', 100, 900), one('3', 'c', 6, 12), one('4', 'a', 50, 10)],
    ]) {
      const part = SegmentsPart.parse(buildSegmentsPart(fromInvoices(invoices), '2011-06-01', OPTIONS));
      expect(part.segments.length).toBeGreaterThanOrEqual(2);
      expect(part.customers).toHaveLength(new Set(invoices.map((i) => i.customerId)).size);
    }
  });

  it('refuses fewer than two customers', () => {
    expect(() => buildSegmentsPart(fromInvoices([one('1', 'a', 5, 10)]), '2011-06-01', OPTIONS)).toThrow(/at least 2/);
  });
});
