import { describe, expect, it } from 'vitest';
import { rankItems, recommend, type ModelArtifact, type RecommendationRequest } from '../../ml/src/model';

const model: ModelArtifact = {
  format: 'ecicomm-recs/1',
  version: '2011-12-10.blend.abc123',
  trainedAt: '2011-12-10T00:00:00.000Z',
  dataWindow: { from: '2010-12-01', until: '2011-12-10', invoices: 10, customers: 5, items: 9 },
  cleaning: 'test',
  parameters: {
    personalWeight: 1,
    neighbourWeight: 0.5,
    popularityWeight: 0.3,
    recencyHalfLifeDays: 30,
    neighbours: 10,
    popularityHalfLifeDays: 5,
  },
  popularity: [
    ['P1', 100],
    ['P2', 80],
    ['P3', 50],
    ['X', 40],
    ['Y', 30],
    ['Z', 10],
    ['A', 5],
    ['B', 4],
    ['C', 2],
  ],
  neighbours: {
    A: [
      ['B', 0.9],
      ['C', 0.5],
    ],
    B: [['A', 0.9]],
    C: [
      ['A', 0.5],
      ['D', 0.4],
    ],
    Q: [['Z', 0.2]],
  },
};

const ids = (request: RecommendationRequest, m = model) => recommend(m, request).items.map((i) => i.productId);
const at = (day: number) => new Date(Date.UTC(2011, 10, day)).toISOString();

describe('recommend: a product', () => {
  it('answers its neighbours, best first, then popularity; never the product itself', () => {
    expect(ids({ history: [], productId: 'A', k: 5 })).toEqual(['B', 'C', 'P1', 'P2', 'P3']);
    expect(ids({ history: [], productId: 'C', k: 3 })).toEqual(['A', 'D', 'P1']);
    expect(ids({ history: [], productId: 'P1', k: 3 })).toEqual(['P2', 'P3', 'X']);
  });

  it('falls back to popularity for a product it does not know, whatever its id', () => {
    expect(ids({ history: [], productId: 'UNKNOWN', k: 2 })).toEqual(['P1', 'P2']);
    for (const productId of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(ids({ history: [], productId, k: 2 })).toEqual(['P1', 'P2']);
    }
  });

  it('takes the product over the history when given both', () => {
    expect(ids({ history: [{ productId: 'Z' }], productId: 'A', k: 2 })).toEqual(['B', 'C']);
  });
});

describe('recommend: a customer history', () => {
  it("puts the customer's own products first, most often bought first, even when unpopular", () => {
    const history = [
      { productId: 'Z', at: at(1) },
      { productId: 'Y', at: at(1) },
      { productId: 'Z', at: at(2) },
      { productId: 'Z', at: at(3) },
    ];
    const result = ids({ history, k: 5 });
    expect(result.slice(0, 2)).toEqual(['Z', 'Y']);
    expect(result.slice(2)).toEqual(['P1', 'P2', 'P3']);
  });

  it('then the neighbours of what they bought and popular products, by the blend weights', () => {
    // B: neighbour weight 0.5 (the best neighbour) + 0.3 × 4/100; P1: popularity weight 0.3;
    // C: 0.5 × 0.5/0.9 + 0.3 × 2/100 = 0.284.
    expect(ids({ history: [{ productId: 'A', at: at(1) }], k: 4 })).toEqual(['A', 'B', 'P1', 'C']);
    const lessPopularity = { ...model, parameters: { ...model.parameters, popularityWeight: 0.01 } };
    expect(ids({ history: [{ productId: 'A', at: at(1) }], k: 4 }, lessPopularity)).toEqual(['A', 'B', 'C', 'P1']);
  });

  it('weighs recent purchases more: of two products bought once, the recent one first', () => {
    expect(
      ids({
        history: [
          { productId: 'Y', at: at(1) },
          { productId: 'X', at: at(25) },
        ],
        k: 2,
      }),
    ).toEqual(['X', 'Y']);
    expect(
      ids({
        history: [
          { productId: 'X', at: at(1) },
          { productId: 'Y', at: at(25) },
        ],
        k: 2,
      }),
    ).toEqual(['Y', 'X']);
  });

  it('with personalFirst off, a strong neighbour can outrank a product bought once long ago', () => {
    const history = [
      ...Array.from({ length: 5 }, (_, i) => ({ productId: 'A', at: at(20 + i) })),
      { productId: 'Z', at: at(1) },
    ];
    const additive = { ...model, parameters: { ...model.parameters, personalFirst: false } };
    expect(ids({ history, k: 3 })).toEqual(['A', 'Z', 'B']);
    // Z: 0.5^(~23/30) / ~4.7 ≈ 0.13 of the personal weight, below B (0.51) and P1 (0.3).
    expect(ids({ history, k: 3 }, additive)).toEqual(['A', 'B', 'P1']);
  });

  it('orders the own products by how they were bought and popularity, not by their neighbours', () => {
    // Bought once each, at the same time: Z is the most popular of the three; A and B are each other's neighbours.
    const history = ['A', 'B', 'Z'].map((productId) => ({ productId, at: at(10) }));
    expect(ids({ history, k: 3 })).toEqual(['Z', 'A', 'B']);
    const additive = { ...model, parameters: { ...model.parameters, personalFirst: false } };
    expect(ids({ history, k: 3 }, additive)).toEqual(['A', 'B', 'Z']);
  });

  it('ignores entries with no quantity bought and tolerates missing or unreadable dates', () => {
    expect(
      ids({
        history: [
          { productId: 'Z', quantity: 0 },
          { productId: 'Y', quantity: -2 },
        ],
        k: 2,
      }),
    ).toEqual(['P1', 'P2']);
    expect(ids({ history: [{ productId: 'Z', at: 'yesterday' }, { productId: 'Y' }], k: 2 })).toEqual(['Y', 'Z']);
  });

  it('anchors recency at the latest purchase unless told the time, with the same ranking', () => {
    const history = [
      { productId: 'Y', at: at(1) },
      { productId: 'X', at: at(25) },
    ];
    expect(ids({ history, k: 4 })).toEqual(
      recommend(model, { history, k: 4 }, new Date('2012-06-01T00:00:00Z')).items.map((i) => i.productId),
    );
  });
});

describe('recommend: rules for every request', () => {
  it('answers popularity, scaled to 1, without history or product', () => {
    expect(recommend(model, { history: [], k: 3 })).toEqual({
      items: [
        { productId: 'P1', score: 1 },
        { productId: 'P2', score: 0.8 },
        { productId: 'P3', score: 0.5 },
      ],
      modelVersion: model.version,
    });
  });

  it('never returns an excluded product', () => {
    expect(ids({ history: [], k: 3, exclude: ['P1', 'P3'] })).toEqual(['P2', 'X', 'Y']);
    expect(ids({ history: [], productId: 'A', k: 3, exclude: ['B'] })).toEqual(['C', 'P1', 'P2']);
    const history = [
      { productId: 'A', at: at(1) },
      { productId: 'Z', at: at(2) },
    ];
    const result = ids({ history, k: 20, exclude: ['A', 'Z'] });
    expect(result).not.toContain('A');
    expect(result).not.toContain('Z');
    expect(result.slice(0, 2)).toEqual(['B', 'P1']);
  });

  it('returns at most k items', () => {
    expect(ids({ history: [], k: 0 })).toEqual([]);
    expect(ids({ history: [], k: -3 })).toEqual([]);
    expect(ids({ history: [], k: 2.9 })).toHaveLength(2);
    expect(ids({ history: [], k: 100 })).toHaveLength(9);
    // A, its neighbours B and C, and the other popular products: nine in all (D is C's neighbour, not A's).
    expect(ids({ history: [{ productId: 'A' }], k: 100 })).toHaveLength(9);
  });

  it('is deterministic: the same request, the same answer; ties by product id', () => {
    const request = {
      history: [
        { productId: 'A', at: at(3) },
        { productId: 'C', at: at(4) },
      ],
      k: 6,
    };
    const first = recommend(model, request);
    for (let i = 0; i < 5; i++) expect(recommend(model, request)).toEqual(first);
    const tied: ModelArtifact = {
      ...model,
      popularity: [
        ['M', 5],
        ['K', 5],
        ['L', 5],
      ],
    };
    expect(ids({ history: [], k: 3 }, tied)).toEqual(['K', 'L', 'M']);
  });

  it('scores best first, rounded to six places; rankItems gives the same order unrounded', () => {
    const request = {
      history: [
        { productId: 'A', at: at(3) },
        { productId: 'C', at: at(4) },
      ],
      k: 8,
    };
    const { items } = recommend(model, request);
    for (let i = 1; i < items.length; i++) expect(items[i - 1].score).toBeGreaterThanOrEqual(items[i].score);
    for (const { score } of items) expect(Math.round(score * 1e6) / 1e6).toBe(score);
    expect(rankItems(model, request).map(([id]) => id)).toEqual(items.map((i) => i.productId));
  });
});
