import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multiply, percentOf, sum } from '../../functions/cart/domain/money';

describe('cart money: percentOf', () => {
  it.each([
    [2184, 1000, 218], // 218.4 → down
    [5184, 1000, 518], // 518.4 → down
    [2184, 2000, 437], // 436.8 → up
    [5, 1000, 1], // 0.5 → up: half away from zero, not to even
    [25, 1000, 3], // 2.5 → 3, where banker's rounding would give 2
    [15, 1000, 2], // 1.5 → 2
    [50, 1900, 10], // 9.5 → 10
    [4, 1000, 0], // 0.4 → 0
    [0, 2300, 0],
    [1299, 10_000, 1299], // 100 %
    [1299, 0, 0],
  ])('percentOf(%i, %i bp) = %i, rounding half away from zero', (amount, bp, expected) => {
    expect(percentOf(amount, bp)).toBe(expected);
  });

  it('rounds negative halves away from zero too, so a refund mirrors its charge', () => {
    expect(percentOf(-5, 1000)).toBe(-1);
    expect(percentOf(-25, 1000)).toBe(-3);
    expect(percentOf(-4, 1000)).toBe(0); // never -0
  });

  it('stays exact where floating point would not (amounts near the safe-integer limit)', () => {
    // 9 007 199 254 740 991 × 5000 bp = 4 503 599 627 370 495.5 → …496
    expect(percentOf(Number.MAX_SAFE_INTEGER, 5000)).toBe(4_503_599_627_370_496);
  });

  it('refuses non-integer amounts and rates instead of rounding them silently', () => {
    expect(() => percentOf(10.5, 1000)).toThrow(RangeError);
    expect(() => percentOf(10, 12.5)).toThrow(RangeError);
    expect(() => percentOf(Number.NaN, 1000)).toThrow(RangeError);
  });

  it('is within half a minor unit of the exact value, and a tie always rounds away from zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const result = percentOf(amount, bp);
        expect(Number.isSafeInteger(result)).toBe(true);
        // |10 000·result − amount·bp| ≤ 5 000, checked in BigInt so the check itself is exact.
        const error = 10_000n * BigInt(result) - BigInt(amount) * BigInt(bp);
        const absError = error < 0n ? -error : error;
        expect(absError <= 5_000n).toBe(true);
        if (absError === 5_000n) expect(Math.abs(result) * 10_000 > Math.abs(amount) * bp).toBe(true);
      }),
    );
  });

  it('is symmetric in sign and monotone in the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 10_000 }),
        (a, d, bp) => {
          expect(percentOf(-a, bp)).toBe(-percentOf(a, bp) + 0); // + 0: compare 0 with 0, not -0
          expect(percentOf(a + d, bp)).toBeGreaterThanOrEqual(percentOf(a, bp));
        },
      ),
    );
  });
});

describe('cart money: exact arithmetic', () => {
  it('multiplies and sums integers exactly', () => {
    expect(multiply(295, 3)).toBe(885);
    expect(sum([885, 1299])).toBe(2184);
    expect(sum([])).toBe(0);
  });

  it('throws rather than lose precision past the safe-integer range', () => {
    expect(() => multiply(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
    expect(() => sum([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
    expect(() => multiply(2.5, 2)).toThrow(RangeError);
  });
});
