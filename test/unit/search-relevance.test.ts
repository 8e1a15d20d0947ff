import { describe, expect, it } from 'vitest';
import { nameWords, precisionAt10, RELEVANCE_QUERIES, relevantIds, singular } from '../support/search-relevance';

const products = [
  { id: 'a', name: 'White Hanging Heart T-Light Holder' },
  { id: 'b', name: 'Set of 3 Heart Cookie Cutters' },
  { id: 'c', name: 'Hanging Heart Decorations' },
  { id: 'd', name: 'Glass Star Decoration' },
];

describe('the relevance rule', () => {
  it('compares whole words, case-insensitively, singular or regular plural', () => {
    expect(nameWords('Hanging Heart Decorations, Glass T-Light')).toEqual([
      'hanging',
      'heart',
      'decoration',
      'glass',
      't',
      'light',
    ]);
    const pairs = [
      ['butterflies', 'butterfly'],
      ['glasses', 'glass'],
      ['boxes', 'box'],
      ['dishes', 'dish'],
      ['cases', 'case'],
      ['candles', 'candle'],
      ['bus', 'bus'],
      ['tray', 'tray'],
    ];
    expect(pairs.map(([plural]) => singular(plural!))).toEqual(pairs.map(([, one]) => one));
  });

  it('makes relevant exactly the products whose names hold every intended word', () => {
    expect([...relevantIds('heart decoration', products)]).toEqual(['c']);
    expect([...relevantIds('heart', products)].sort()).toEqual(['a', 'b', 'c']);
    expect([...relevantIds('hear', products)]).toEqual([]);
  });

  it("has at least 20 typo'd queries, each different from what it means", () => {
    expect(RELEVANCE_QUERIES.length).toBeGreaterThanOrEqual(20);
    for (const q of RELEVANCE_QUERIES) expect(nameWords(q.query)).not.toEqual(nameWords(q.intended));
    expect(RELEVANCE_QUERIES.some((q) => q.query.includes(' '))).toBe(true);
  });
});

describe('precision@10', () => {
  const ten = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}${i}`);

  it('is the relevant share of the first 10 results when 10 or more are relevant', () => {
    const relevant = new Set([...ten('r'), 'r10', 'r11']);
    expect(precisionAt10([...ten('r').slice(0, 7), 'x1', 'x2', 'x3', 'r10'], relevant)).toBe(0.7);
    expect(precisionAt10(ten('r'), relevant)).toBe(1);
  });

  it('counts only the first 10, and is perfect when fewer relevant products all lead the list', () => {
    expect(
      precisionAt10(['r1', 'r2', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'r3'], new Set(['r1', 'r2', 'r3'])),
    ).toBeCloseTo(2 / 3);
    expect(precisionAt10(['r1', 'r2', 'r3', 'x'], new Set(['r1', 'r2', 'r3']))).toBe(1);
    expect(precisionAt10([], new Set(['r1']))).toBe(0);
  });

  it('is undefined for a query with nothing relevant in the catalog', () => {
    expect(precisionAt10(['x'], new Set())).toBeUndefined();
  });
});
