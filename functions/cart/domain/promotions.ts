/**
 * Promotion codes are data, not code: a stored record says what a code takes off, from when to when,
 * above which subtotal and in which currency. This module decides whether one applies to a subtotal
 * and how much it takes off; finding the record for a code is the caller's business.
 */
import * as z from 'zod/mini';
import { Currency, MinorUnits } from '../../shared/schemas';
import { BASIS_POINTS_PER_WHOLE, MAX_AMOUNT, percentOf } from './money';

/** Codes are compared trimmed and upper-cased, so ` summer10 ` finds `SUMMER10`. */
export const normalizePromoCode = (code: string): string => code.trim().toUpperCase();

const PROMO_CODE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;

/**
 * A stored promotion. `value` is basis points for PERCENTAGE (1000 = 10 %) and minor units for
 * FIXED_AMOUNT. `minSubtotal` is inclusive (a £20 minimum accepts exactly £20.00). An amount means
 * nothing without its currency, so `currency` is required for FIXED_AMOUNT and whenever `minSubtotal`
 * is above zero; a PERCENTAGE code without a minimum may omit it and then applies in any currency.
 * The promotion is valid from `startsAt` (inclusive, when given) until `expiresAt` (exclusive).
 */
export const Promotion = z
  .strictObject({
    code: z.string().check(z.regex(PROMO_CODE, 'Must be 2-32 upper-case letters, digits, dash or underscore')),
    kind: z.enum(['PERCENTAGE', 'FIXED_AMOUNT']),
    value: z.int().check(z.minimum(1, 'Must be positive')),
    currency: z.optional(Currency),
    minSubtotal: MinorUnits,
    startsAt: z.optional(z.iso.datetime({ offset: true })),
    expiresAt: z.iso.datetime({ offset: true }),
    active: z.boolean(),
  })
  .check(
    z.refine((p) => p.kind !== 'PERCENTAGE' || p.value <= BASIS_POINTS_PER_WHOLE, {
      message: `A percentage is at most ${BASIS_POINTS_PER_WHOLE} basis points`,
      path: ['value'],
    }),
    z.refine((p) => p.kind !== 'FIXED_AMOUNT' || p.value <= MAX_AMOUNT, { message: 'Is too large', path: ['value'] }),
    z.refine((p) => p.currency !== undefined || (p.kind === 'PERCENTAGE' && p.minSubtotal === 0), {
      message: 'A fixed amount or a minimum subtotal needs a currency',
      path: ['currency'],
    }),
    z.refine((p) => p.startsAt === undefined || Date.parse(p.startsAt) < Date.parse(p.expiresAt), {
      message: 'Must start before it expires',
      path: ['startsAt'],
    }),
  );
export type Promotion = z.infer<typeof Promotion>;

/** Why a promotion does not apply, in the order they are checked: the first that holds is reported. */
export const PROMOTION_REJECTIONS = [
  'INACTIVE',
  'NOT_STARTED',
  'EXPIRED',
  'CURRENCY_MISMATCH',
  'BELOW_MIN_SUBTOTAL',
] as const;
export type PromotionRejectionReason = (typeof PROMOTION_REJECTIONS)[number];

export type PromotionOutcome =
  { applies: true; discount: number } | { applies: false; reason: PromotionRejectionReason; message: string };

export interface PromotionContext {
  /** Sum of the line totals, in minor units of `currency`. */
  subtotal: number;
  currency: string;
  now: Date;
}

// Every supported currency (GBP, EUR, USD) has two decimal places.
const formatMinor = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`;

/**
 * Whether `promo` applies to a subtotal at `now`, and the discount it gives: a percentage of the
 * subtotal rounded once (see money.ts), or the fixed amount. A discount never exceeds the subtotal.
 * Dates that do not parse fail closed: such a promotion is reported as not started or expired.
 */
export function evaluatePromotion(promo: Promotion, { subtotal, currency, now }: PromotionContext): PromotionOutcome {
  const reject = (reason: PromotionRejectionReason, message: string): PromotionOutcome => ({
    applies: false,
    reason,
    message,
  });
  const at = now.getTime();

  if (!promo.active) return reject('INACTIVE', `Promotion ${promo.code} is not active`);
  if (promo.startsAt !== undefined && !(at >= Date.parse(promo.startsAt))) {
    return reject('NOT_STARTED', `Promotion ${promo.code} has not started yet`);
  }
  if (!(at < Date.parse(promo.expiresAt))) return reject('EXPIRED', `Promotion ${promo.code} has expired`);
  if (promo.currency !== undefined && promo.currency !== currency) {
    return reject('CURRENCY_MISMATCH', `Promotion ${promo.code} applies to ${promo.currency} carts only`);
  }
  if (subtotal < promo.minSubtotal) {
    return reject(
      'BELOW_MIN_SUBTOTAL',
      `Promotion ${promo.code} needs a subtotal of at least ${formatMinor(promo.minSubtotal, promo.currency ?? currency)}`,
    );
  }

  const raw = promo.kind === 'PERCENTAGE' ? percentOf(subtotal, promo.value) : promo.value;
  if (!Number.isSafeInteger(raw) || raw < 0)
    throw new RangeError(`Promotion ${promo.code} has an invalid value ${promo.value}`);
  return { applies: true, discount: Math.min(raw, subtotal) };
}
