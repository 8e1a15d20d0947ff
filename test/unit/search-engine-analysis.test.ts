/**
 * The local search engine's analysis and edit distances, as OpenSearch's: the english analyzer (possessives,
 * Lucene's stop words, the Porter stemmer), and Damerau–Levenshtein distances where a transposition is one edit.
 */
import { describe, expect, it } from 'vitest';
import { analyzer } from '@ecicomm/local-platform/search/analysis';
import { editsFor, osaDistance, prefixDistance } from '@ecicomm/local-platform/search/fuzzy';

describe('analysis', () => {
  it("analyzes English as OpenSearch's english analyzer: lowercase, possessives, stop words, Porter stems", () => {
    expect(analyzer('english')("The Children's Christmas Decorations and a Cake-Stand")).toEqual([
      'children',
      'christma',
      'decor',
      'cake',
      'stand',
    ]);
    expect(analyzer('standard')('Set of 12 T-Light Holders 3.5cm')).toEqual([
      'set',
      'of',
      '12',
      't',
      'light',
      'holders',
      '3.5cm',
    ]);
    expect(analyzer('simple')('Red Retrospot Cake Stand 3 Tier')).toEqual([
      'red',
      'retrospot',
      'cake',
      'stand',
      'tier',
    ]);
  });
});

describe('edit distances', () => {
  it('counts a transposition as one edit, or as two without transpositions', () => {
    expect(osaDistance('stnad', 'stand', 2)).toBe(1);
    expect(osaDistance('stnad', 'stand', 2, false)).toBe(2);
    expect(osaDistance('chrisma', 'christma', 2)).toBe(1);
    // Past the limit the answer is limit + 1: decoraton is 4 edits from decor, the english stem of decoration.
    expect(osaDistance('decoraton', 'decor', 2)).toBe(3);
  });

  it('gives AUTO 0 edits to 1-2 characters, 1 to 3-5, 2 beyond, and honours AUTO:low,high', () => {
    expect([1, 2, 3, 5, 6, 12].map((n) => editsFor('AUTO', n))).toEqual([0, 0, 1, 1, 2, 2]);
    expect([3, 4, 7].map((n) => editsFor('AUTO:4,7', n))).toEqual([0, 1, 2]);
    expect(() => editsFor(3, 5)).toThrow(/fuzziness/);
  });

  it('measures a fuzzy prefix against the closest prefix of the key', () => {
    expect(prefixDistance('cake stnad', 'cake stand lace white', 2)).toBe(1);
    expect(prefixDistance('chirst', 'christmas tree', 2)).toBe(1);
    expect(prefixDistance('zzz', 'christmas', 2)).toBe(3);
  });
});
