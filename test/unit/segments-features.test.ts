import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { OrderHistoryBuilder } from '../../ml/src/data';
import { customerFeatures, featureVector } from '../../ml/src/segments/features';
import { fitScaling, standardise, unstandardise } from '../../ml/src/segments/scaling';
import { invoiceLine } from '../support/invoice-line';

/** Customer A: two invoices before the cut (one with a repeated product), one after; B: one; C: only after. */
function tinyHistory() {
  const b = new OrderHistoryBuilder();
  const a = { customerId: 'A' };
  b.add(invoiceLine({ ...a, invoiceNo: '1', invoiceDate: '2011-01-01T00:00:00.000Z', quantity: 2, unitPrice: 2.5 }));
  b.add(invoiceLine({ ...a, invoiceNo: '1', invoiceDate: '2011-01-01T00:00:00.000Z', quantity: 1, unitPrice: 2.5 }));
  b.add(
    invoiceLine({
      ...a,
      invoiceNo: '1',
      invoiceDate: '2011-01-01T00:00:00.000Z',
      stockCode: '22423',
      unitPrice: 10,
      quantity: 1,
    }),
  );
  b.add(invoiceLine({ ...a, invoiceNo: '2', invoiceDate: '2011-01-11T00:00:00.000Z', quantity: 4, unitPrice: 2 }));
  b.add(invoiceLine({ ...a, invoiceNo: 'C3', cancelled: true, invoiceDate: '2011-01-12T00:00:00.000Z', quantity: -4 }));
  b.add(invoiceLine({ ...a, invoiceNo: '4', invoiceDate: '2011-02-01T00:00:00.000Z', quantity: 100, unitPrice: 1 }));
  b.add(
    invoiceLine({
      customerId: 'B',
      invoiceNo: '5',
      invoiceDate: '2011-01-20T12:00:00.000Z',
      quantity: 3,
      unitPrice: 1,
    }),
  );
  b.add(invoiceLine({ customerId: 'C', invoiceNo: '6', invoiceDate: '2011-01-25T00:00:00.000Z' }));
  return b.build();
}

describe('segment features', () => {
  it('sums spend per invoice (quantity × unit price of its cleaned lines)', () => {
    const h = tinyHistory();
    expect(h.invoices.find((i) => i.invoiceNo === '1')!.spend).toBeCloseTo(17.5, 9);
    expect(h.invoices.find((i) => i.invoiceNo === '2')!.spend).toBeCloseTo(8, 9);
  });

  it('measures recency, frequency, monetary, tenure and breadth before the cut only', () => {
    const features = customerFeatures(tinyHistory(), '2011-01-21');
    expect(features.map((c) => c.customerId)).toEqual(['A', 'B']);
    const [a, b] = features;
    expect(a.features.recency).toBeCloseTo(10, 9);
    expect(a.features.frequency).toBe(2);
    expect(a.features.monetary).toBeCloseTo(25.5, 9);
    expect(a.features.tenure).toBeCloseTo(20, 9);
    expect(a.features.breadth).toBe(2);
    expect(a.units).toEqual(
      new Map([
        ['85123A', 7],
        ['22423', 1],
      ]),
    );
    expect(b.features).toEqual({ recency: 0.5, frequency: 1, monetary: 3, tenure: 0.5, breadth: 1 });
    expect(featureVector(b.features)).toEqual([0.5, 1, 3, 0.5, 1]);
  });

  it('counts later invoices once the cut moves past them', () => {
    const a = customerFeatures(tinyHistory(), '2011-02-02')[0];
    expect(a.features.frequency).toBe(3);
    expect(a.features.recency).toBeCloseTo(1, 9);
    expect(a.features.monetary).toBeCloseTo(125.5, 9);
  });
});

describe('scaling', () => {
  it('log1p-standardises to mean 0 and unit variance, and inverts', () => {
    const vectors = [
      [0, 1],
      [3, 1],
      [99, 1],
    ];
    const s = fitScaling(vectors, 'log1p');
    expect(s.scale[1]).toBe(1); // a constant feature keeps scale 1 rather than dividing by zero
    const z = vectors.map((v) => standardise(s, v));
    const mean = z.reduce((m, p) => m + p[0] / 3, 0);
    const variance = z.reduce((m, p) => m + (p[0] - mean) ** 2 / 3, 0);
    expect(mean).toBeCloseTo(0, 9);
    expect(variance).toBeCloseTo(1, 9);
    expect(unstandardise(s, z[2])[0]).toBeCloseTo(99, 9);
    expect(standardise(fitScaling(vectors, 'none'), [99, 1])[0]).toBeGreaterThan(1);
  });
});
