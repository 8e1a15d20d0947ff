import { describe, expect, it } from 'vitest';
import { fromInvoices, type Invoice } from '../../ml/src/data';
import { maskPairs } from '../../ml/src/evaluate/masked';
import { auc, aucOf, meanMetrics, rankingMetrics } from '../../ml/src/evaluate/metrics';
import { evaluateTemporal, temporalSplit, topIndices } from '../../ml/src/evaluate/temporal';
import { alsScores, trainAls } from '../../ml/src/train/als';
import { easeScores, trainEase } from '../../ml/src/train/ease';
import { customerBaskets, interactions } from '../../ml/src/train/matrix';
import { cosineNeighbours } from '../../ml/src/train/neighbours';

describe('ranking metrics at 10', () => {
  it('computes HR, precision, recall and NDCG', () => {
    const m = rankingMetrics(['a', 'x', 'b', 'y'], new Set(['a', 'b', 'c']), 10);
    expect(m.hr).toBe(1);
    expect(m.precision).toBeCloseTo(0.2);
    expect(m.recall).toBeCloseTo(2 / 3);
    expect(m.ndcg).toBeCloseTo((1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4)));
    expect(rankingMetrics(['x'], new Set(['a']), 10)).toEqual({ hr: 0, precision: 0, recall: 0, ndcg: 0 });
    expect(rankingMetrics(['a'], new Set(['a']), 10).ndcg).toBe(1);
    expect(meanMetrics([m, { hr: 0, precision: 0, recall: 0, ndcg: 0 }]).hr).toBe(0.5);
  });

  it('counts only the first k', () => {
    expect(rankingMetrics(['x', 'a'], new Set(['a']), 1).hr).toBe(0);
  });
});

describe('AUC', () => {
  it('is the share of positive–negative pairs ranked right, ties half', () => {
    expect(aucOf(Float64Array.from([3, 4]), Float64Array.from([1, 2]))).toBe(1);
    expect(aucOf(Float64Array.from([1]), Float64Array.from([2]))).toBe(0);
    expect(aucOf(Float64Array.from([1, 1]), Float64Array.from([1, 1]))).toBe(0.5);
    expect(auc([0.9, 0.1, 0.5, 0.5], [1, 0, 1, 0])).toBeCloseTo((1 + 1 + 1 + 0.5) / 4);
    expect(auc([1, 2], [0, 0])).toBeNaN();
  });
});

it('topIndices takes the best k, ties by index, skipping what it is told', () => {
  expect(topIndices([0.1, 0.9, 0.5, 0.9, 0.2], 3)).toEqual([1, 3, 2]);
  expect(topIndices([0.1, 0.9, 0.5, 0.9, 0.2], 2, (i) => i === 1)).toEqual([3, 2]);
});

/** Two groups of ten customers; group A buys a1–a3, group B b1–b3, in two invoices a month apart. */
function twoGroups(): Invoice[] {
  const invoices: Invoice[] = [];
  for (let c = 0; c < 20; c++) {
    const group = c < 10 ? 'a' : 'b';
    const t1 = Date.UTC(2011, 0, 1 + c);
    const t2 = Date.UTC(2011, 1, 1 + c);
    const lines = (ids: string[]) => ids.map((id) => ({ productId: `${group}${id}`, quantity: 1 }));
    invoices.push({
      invoiceNo: `1${c}`,
      customerId: `c${c}`,
      at: new Date(t1).toISOString(),
      time: t1,
      lines: lines(c % 2 ? ['1', '2'] : ['2', '3']),
    });
    invoices.push({
      invoiceNo: `2${c}`,
      customerId: `c${c}`,
      at: new Date(t2).toISOString(),
      time: t2,
      lines: lines(['1', '3']),
    });
  }
  return invoices;
}

describe('temporal split', () => {
  it("takes each customer's first invoice after the cut-off; customers without history are cold", () => {
    const history = fromInvoices([
      ...twoGroups(),
      {
        invoiceNo: '99',
        customerId: 'new',
        at: '2011-03-01T00:00:00.000Z',
        time: Date.UTC(2011, 2, 1),
        lines: [{ productId: 'a1', quantity: 1 }],
      },
    ]);
    const split = temporalSplit(history, '2011-01-25');
    expect(split.coldCustomers).toBe(1);
    expect(split.cases).toHaveLength(20);
    expect([...split.cases[0].next].sort()).toEqual(['a1', 'a3']);
    // A ranker that answers the customer's next invoice exactly.
    const oracle = evaluateTemporal(
      split,
      (c, k, exclude) => [...c.next].filter((id) => !exclude.has(id)).slice(0, k),
      'all',
    );
    expect(oracle).toMatchObject({ hr: 1, recall: 1, ndcg: 1, users: 20 });
    // Excluding what was bought before: only the customers whose next invoice holds something new count.
    expect(evaluateTemporal(split, () => [], 'new').users).toBe(20);
  });
});

describe('masking pairs', () => {
  it('masks ceil(20 %) of the pairs, the same ones for the same seed', () => {
    const m = interactions(fromInvoices(twoGroups()));
    const a = maskPairs(m, 0.2, 7);
    const b = maskPairs(m, 0.2, 7);
    const masked = a.masked.reduce((n, row) => n + row.length, 0);
    expect(masked).toBe(Math.ceil(0.2 * m.indices.length));
    expect(a.train.indices.length).toBe(m.indices.length - masked);
    expect(b.masked).toEqual(a.masked);
    expect(maskPairs(m, 0.2, 8).masked).not.toEqual(a.masked);
  });
});

describe('models on two clusters', () => {
  const m = interactions(fromInvoices(twoGroups()));
  const col = (id: string) => m.itemIndex.get(id)!;
  const rowA = 0; // customer c0: group a

  it('cosine neighbours stay within the cluster', () => {
    const lists = cosineNeighbours(customerBaskets(m), m.items.length, { k: 5 });
    expect(lists[col('a1')].map(([j]) => m.items[j]).sort()).toEqual(['a2', 'a3']);
  });

  it('ALS scores the own cluster above the other', () => {
    const model = trainAls(m.users.length, m.items.length, m.indptr, m.indices, m.invoices, {
      factors: 4,
      regularization: 0.1,
      alpha: 5,
      iterations: 10,
    });
    const scores = alsScores(model, rowA, m.items.length);
    expect(Math.min(scores[col('a1')], scores[col('a2')], scores[col('a3')])).toBeGreaterThan(
      Math.max(scores[col('b1')], scores[col('b2')], scores[col('b3')]),
    );
  });

  it('EASE matches a direct inverse and scores the own cluster above the other', () => {
    const rows = customerBaskets(m);
    const model = trainEase(rows, m.items.length, 5);
    const scores = easeScores(model, rows[rowA]);
    // c0 bought a2, a3 and a1: each gets weight from the others, the b products none.
    for (const b of ['b1', 'b2', 'b3']) expect(scores[col(b)]).toBeCloseTo(0, 6);
    expect(scores[col('a1')]).toBeGreaterThan(0.1);
    // The optimality conditions of min ‖X − XB‖² + λ‖B‖² with diag B = 0: the diagonal is zero and
    // ((G + λI)B)[i][j] = G[i][j] off the diagonal, G = XᵀX.
    const n = m.items.length;
    const g = Array.from({ length: n }, () => new Float64Array(n));
    for (const row of rows) for (const x of row) for (const y of row) g[x][y] += 1;
    for (let i = 0; i < n; i++) g[i][i] += 5;
    for (let j = 0; j < n; j++) {
      expect(model.weights[j * n + j]).toBe(0);
      for (let i = 0; i < n; i++) {
        if (i === j) continue;
        let s = 0;
        for (let k = 0; k < n; k++) s += g[i][k] * model.weights[k * n + j];
        expect(s).toBeCloseTo(g[i][j], 4);
      }
    }
  });
});
