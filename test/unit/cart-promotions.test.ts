import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentOf } from '../../functions/cart/domain/money';
import { evaluatePromotion, normalizePromoCode, Promotion } from '../../functions/cart/domain/promotions';

const NOW = new Date('2026-03-01T12:00:00Z');

/** 10 % off orders of £20 or more, running through March 2026. */
const SAVE10: Promotion = {
  code: 'SAVE10',
  kind: 'PERCENTAGE',
  value: 1000,
  currency: 'GBP',
  minSubtotal: 2000,
  startsAt: '2026-02-01T00:00:00Z',
  expiresAt: '2026-04-01T00:00:00Z',
  active: true,
};

/** £5 off orders of £30 or more. */
const FIVEOFF: Promotion = { ...SAVE10, code: 'FIVEOFF', kind: 'FIXED_AMOUNT', value: 500, minSubtotal: 3000 };

const gbp = (subtotal: number, now = NOW) => ({ subtotal, currency: 'GBP', now });

describe('cart promotions: codes', () => {
  it('normalizes a code by trimming and upper-casing it', () => {
    expect(normalizePromoCode('  save10 \n')).toBe('SAVE10');
    expect(normalizePromoCode('Five-Off_2')).toBe('FIVE-OFF_2');
  });
});

describe('cart promotions: evaluation', () => {
  it('takes 10 % of a £21.84 subtotal as £2.18 (218.4 rounded once)', () => {
    expect(evaluatePromotion(SAVE10, gbp(2184))).toEqual({ applies: true, discount: 218 });
  });

  it('takes a fixed £5 off a subtotal above its minimum', () => {
    expect(evaluatePromotion(FIVEOFF, gbp(3000))).toEqual({ applies: true, discount: 500 });
  });

  it('never discounts more than the subtotal, whatever the fixed amount', () => {
    const big = { ...FIVEOFF, value: 10_000, minSubtotal: 0 };
    expect(evaluatePromotion(big, gbp(2184))).toEqual({ applies: true, discount: 2184 });
  });

  it('gives the whole subtotal for a 100 % code', () => {
    expect(evaluatePromotion({ ...SAVE10, value: 10_000 }, gbp(2184))).toEqual({ applies: true, discount: 2184 });
  });

  it('treats the minimum subtotal as inclusive: exactly £20 qualifies, £19.99 does not', () => {
    expect(evaluatePromotion(SAVE10, gbp(2000))).toEqual({ applies: true, discount: 200 });
    expect(evaluatePromotion(SAVE10, gbp(1999))).toMatchObject({ applies: false, reason: 'BELOW_MIN_SUBTOTAL' });
  });

  it('rejects a code below its minimum subtotal and says what the minimum is', () => {
    const outcome = evaluatePromotion(FIVEOFF, gbp(2184));
    expect(outcome).toEqual({
      applies: false,
      reason: 'BELOW_MIN_SUBTOTAL',
      message: 'Promotion FIVEOFF needs a subtotal of at least 30.00 GBP',
    });
  });

  it('rejects an inactive code', () => {
    expect(evaluatePromotion({ ...SAVE10, active: false }, gbp(5000))).toMatchObject({
      applies: false,
      reason: 'INACTIVE',
    });
  });

  it('rejects a code before it starts, and accepts it from the start instant on', () => {
    expect(evaluatePromotion(SAVE10, gbp(5000, new Date('2026-01-31T23:59:59.999Z')))).toMatchObject({
      applies: false,
      reason: 'NOT_STARTED',
    });
    expect(evaluatePromotion(SAVE10, gbp(5000, new Date('2026-02-01T00:00:00Z')))).toMatchObject({ applies: true });
  });

  it('rejects a code from its expiry instant on, and accepts it a millisecond before', () => {
    expect(evaluatePromotion(SAVE10, gbp(5000, new Date('2026-04-01T00:00:00Z')))).toMatchObject({
      applies: false,
      reason: 'EXPIRED',
    });
    expect(evaluatePromotion(SAVE10, gbp(5000, new Date('2026-03-31T23:59:59.999Z')))).toMatchObject({ applies: true });
  });

  it('compares instants, not wall-clock text, when the expiry carries an offset', () => {
    const promo = { ...SAVE10, expiresAt: '2026-03-01T13:00:00+02:00' }; // 11:00Z, before NOW
    expect(evaluatePromotion(promo, gbp(5000))).toMatchObject({ applies: false, reason: 'EXPIRED' });
  });

  it('rejects a code in another currency than the cart', () => {
    expect(evaluatePromotion(FIVEOFF, { subtotal: 5000, currency: 'EUR', now: NOW })).toMatchObject({
      applies: false,
      reason: 'CURRENCY_MISMATCH',
    });
  });

  it('applies a percentage code without a currency or minimum to a cart in any currency', () => {
    const anyCurrency: Promotion = {
      code: 'WELCOME5',
      kind: 'PERCENTAGE',
      value: 500,
      minSubtotal: 0,
      expiresAt: '2027-01-01T00:00:00Z',
      active: true,
    };
    expect(evaluatePromotion(anyCurrency, { subtotal: 1000, currency: 'EUR', now: NOW })).toEqual({
      applies: true,
      discount: 50,
    });
    expect(evaluatePromotion(anyCurrency, { subtotal: 1000, currency: 'USD', now: NOW })).toEqual({
      applies: true,
      discount: 50,
    });
  });

  it('reports the first failing check in a fixed order: inactive, not started, expired, currency, minimum', () => {
    const everythingWrong = {
      ...FIVEOFF,
      active: false,
      startsAt: '2027-01-01T00:00:00Z',
      expiresAt: '2025-01-01T00:00:00Z',
    };
    const ctx = { subtotal: 1, currency: 'EUR', now: NOW };
    expect(evaluatePromotion(everythingWrong, ctx)).toMatchObject({ reason: 'INACTIVE' });
    expect(evaluatePromotion({ ...everythingWrong, active: true }, ctx)).toMatchObject({ reason: 'NOT_STARTED' });
    expect(evaluatePromotion({ ...everythingWrong, active: true, startsAt: undefined }, ctx)).toMatchObject({
      reason: 'EXPIRED',
    });
    expect(evaluatePromotion({ ...FIVEOFF }, ctx)).toMatchObject({ reason: 'CURRENCY_MISMATCH' });
    expect(evaluatePromotion({ ...FIVEOFF }, { ...ctx, currency: 'GBP' })).toMatchObject({
      reason: 'BELOW_MIN_SUBTOTAL',
    });
  });

  it('fails closed on dates that do not parse: such a code is reported not started or expired', () => {
    expect(evaluatePromotion({ ...SAVE10, expiresAt: 'soon' }, gbp(5000))).toMatchObject({ reason: 'EXPIRED' });
    expect(evaluatePromotion({ ...SAVE10, startsAt: 'later' }, gbp(5000))).toMatchObject({ reason: 'NOT_STARTED' });
    expect(evaluatePromotion(SAVE10, gbp(5000, new Date(Number.NaN)))).toMatchObject({ applies: false });
  });
});

describe('cart promotions: stored record schema', () => {
  const parses = (p: unknown) => Promotion.safeParse(p).success;

  it('accepts the example promotions', () => {
    expect(parses(SAVE10)).toBe(true);
    expect(parses(FIVEOFF)).toBe(true);
  });

  it('refuses a percentage above 100 % (10 000 bp) and a non-positive or fractional value', () => {
    expect(parses({ ...SAVE10, value: 10_001 })).toBe(false);
    expect(parses({ ...SAVE10, value: 0 })).toBe(false);
    expect(parses({ ...FIVEOFF, value: 4.5 })).toBe(false);
  });

  it('refuses a fixed amount or a minimum subtotal without a currency', () => {
    expect(parses({ ...FIVEOFF, currency: undefined })).toBe(false);
    expect(parses({ ...SAVE10, currency: undefined })).toBe(false);
    expect(parses({ ...SAVE10, currency: undefined, minSubtotal: 0 })).toBe(true);
  });

  it('refuses a promotion that starts after it expires, a code that is not normalized, and unknown fields', () => {
    expect(parses({ ...SAVE10, startsAt: '2026-05-01T00:00:00Z' })).toBe(false);
    expect(parses({ ...SAVE10, code: 'save10' })).toBe(false);
    expect(parses({ ...SAVE10, stackable: true })).toBe(false);
    expect(parses({ ...SAVE10, expiresAt: 'next week' })).toBe(false);
  });
});

describe('cart promotions: properties', () => {
  const promotionArb = fc
    .record({
      kind: fc.constantFrom('PERCENTAGE' as const, 'FIXED_AMOUNT' as const),
      pct: fc.integer({ min: 1, max: 10_000 }),
      fixed: fc.integer({ min: 1, max: 1_000_000 }),
      minSubtotal: fc.integer({ min: 0, max: 100_000 }),
    })
    .map(({ kind, pct, fixed, minSubtotal }): Promotion => ({
      code: 'PROP',
      kind,
      value: kind === 'PERCENTAGE' ? pct : fixed,
      currency: 'GBP',
      minSubtotal,
      expiresAt: '2030-01-01T00:00:00Z',
      active: true,
    }));

  it('gives a non-negative integer discount no larger than the subtotal, for any valid promotion', () => {
    fc.assert(
      fc.property(promotionArb, fc.integer({ min: 0, max: 10_000_000 }), (promo, subtotal) => {
        const outcome = evaluatePromotion(promo, gbp(subtotal));
        expect(outcome.applies).toBe(subtotal >= promo.minSubtotal);
        if (outcome.applies) {
          expect(Number.isInteger(outcome.discount)).toBe(true);
          expect(outcome.discount).toBeGreaterThanOrEqual(0);
          expect(outcome.discount).toBeLessThanOrEqual(subtotal);
          if (promo.kind === 'PERCENTAGE') expect(outcome.discount).toBe(percentOf(subtotal, promo.value));
          else expect(outcome.discount).toBe(Math.min(promo.value, subtotal));
        }
      }),
    );
  });
});
