/**
 * Money arithmetic for the whole platform.
 *
 * THE ROUNDING RULE (stated here, once; every context follows it):
 *   Amounts are integer minor units (pence, cents) of one currency, and rates are integer basis points
 *   (1 bp = 0.01 %). Adding, subtracting and multiplying by a quantity stay exact. A fraction of a minor
 *   unit arises only from applying a rate, and is rounded half away from zero to the minor unit, once,
 *   on the total the rate applies to — never per line, never twice. So a 10 % discount is taken from the
 *   subtotal and tax from (subtotal − discount), each rounded once; totals are sums of rounded figures.
 *
 * Why half away from zero: it is the common commercial convention shoppers expect (0.5p → 1p), and it
 * is symmetric, so a refund of a charge rounds to the same magnitude as the charge did.
 * Why integers only: a float such as 0.1 × 2184 is not exact, and its rounding would depend on how the
 * expression happens to be written; BigInt keeps the product and remainder exact at any size.
 */

import type { SUPPORTED_CURRENCIES } from '../../shared/schemas';

/** A currency the platform sells in; amounts are minor units of one of these. */
export type CurrencyCode = (typeof SUPPORTED_CURRENCIES)[number];

/** Basis points in a whole: a rate of 10 000 bp is 100 %. */
export const BASIS_POINTS_PER_WHOLE = 10_000;

/** The largest amount the API accepts (shared/schemas MinorUnits): 100 million major units. */
export const MAX_AMOUNT = 100_000_000_00;

const assertSafeInteger = (value: number, what: string): void => {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer, got ${value}`);
};

/**
 * `amount × basisPoints / 10 000`, rounded half away from zero to a whole minor unit. Integer
 * arithmetic only. Negative amounts (refunds) round symmetrically: percentOf(-a, r) = -percentOf(a, r).
 */
export function percentOf(amount: number, basisPoints: number): number {
  assertSafeInteger(amount, 'amount');
  assertSafeInteger(basisPoints, 'basisPoints');
  const whole = BigInt(BASIS_POINTS_PER_WHOLE);
  const product = BigInt(amount) * BigInt(basisPoints);
  const quotient = product / whole; // BigInt division truncates toward zero
  const remainder = product % whole; // carries the sign of the product
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  const rounded = twice >= whole ? quotient + (product < 0n ? -1n : 1n) : quotient;
  const result = Number(rounded);
  assertSafeInteger(result, 'percentOf result');
  return result;
}

/** `unitPrice × quantity`, exact; throws rather than lose precision. */
export function multiply(unitPrice: number, quantity: number): number {
  assertSafeInteger(unitPrice, 'unitPrice');
  assertSafeInteger(quantity, 'quantity');
  const result = unitPrice * quantity;
  assertSafeInteger(result, 'unitPrice × quantity');
  return result;
}

/** Sum of amounts, exact; throws rather than lose precision. */
export function sum(amounts: readonly number[]): number {
  let total = 0;
  for (const a of amounts) {
    assertSafeInteger(a, 'amount');
    total += a;
    assertSafeInteger(total, 'sum');
  }
  return total;
}
