import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/shared/errors';
import { percentOf, type CurrencyCode } from '../../functions/cart/domain/money';
import {
  priceCart,
  DEFAULT_PRICING_RULES,
  type PriceCartInput,
  type PriceLine,
  type PricedCart,
} from '../../functions/cart/domain/pricing';
import { Promotion } from '../../functions/cart/domain/promotions';
import { parseTaxTable, taxRateFor } from '../../functions/cart/domain/tax';
import { zoneFor } from '../../functions/cart/domain/shipping';

const NOW = new Date('2026-03-01T12:00:00Z');

const SAVE10: Promotion = {
  code: 'SAVE10',
  kind: 'PERCENTAGE',
  value: 1000,
  currency: 'GBP',
  minSubtotal: 2000,
  expiresAt: '2026-04-01T00:00:00Z',
  active: true,
};
const FIVEOFF: Promotion = { ...SAVE10, code: 'FIVEOFF', kind: 'FIXED_AMOUNT', value: 500, minSubtotal: 3000 };

const MUGS: PriceLine = { productId: 'mug', name: 'Enamel mug', quantity: 3, unitPrice: 295, currency: 'GBP' };
const LANTERN: PriceLine = { productId: 'lantern', name: 'Tin lantern', quantity: 1, unitPrice: 1299, currency: 'GBP' };
const CUSHIONS: PriceLine = {
  productId: 'cushion',
  name: 'Cushion cover',
  quantity: 2,
  unitPrice: 1500,
  currency: 'GBP',
};

const cart = (lines: PriceLine[], extra: Partial<PriceCartInput> = {}): PriceCartInput => ({
  lines,
  currency: 'GBP',
  destinationCountry: 'GB',
  now: NOW,
  ...extra,
});

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('cart pricing: worked examples (GBP to GB: VAT 20 %, shipping £3.99, free from £50)', () => {
  it('prices 3 × £2.95 + 1 × £12.99: subtotal 2184, VAT 437 (436.8), shipping 399, total 3020', () => {
    expect(priceCart(cart([MUGS, LANTERN]))).toEqual({
      items: [
        { productId: 'mug', name: 'Enamel mug', quantity: 3, unitPrice: 295, lineTotal: 885 },
        { productId: 'lantern', name: 'Tin lantern', quantity: 1, unitPrice: 1299, lineTotal: 1299 },
      ],
      subtotal: 2184,
      discount: 0,
      tax: 437,
      shipping: 399,
      total: 3020,
      currency: 'GBP',
    });
  });

  it('applies 10 % off over £20: discount 218 (218.4), VAT 393 on 1966 (393.2), shipping 399, total 2758', () => {
    const priced = priceCart(cart([MUGS, LANTERN], { promotion: SAVE10 }));
    expect(priced).toMatchObject({
      subtotal: 2184,
      discount: 218,
      tax: 393,
      shipping: 399,
      total: 2758,
      promoCode: 'SAVE10',
    });
    expect(priced.promoRejection).toBeUndefined();
  });

  it('ships free at 5184 without a promotion: VAT 1037 (1036.8), total 6221', () => {
    expect(priceCart(cart([MUGS, LANTERN, CUSHIONS]))).toMatchObject({
      subtotal: 5184,
      discount: 0,
      tax: 1037,
      shipping: 0,
      total: 6221,
    });
  });

  it('charges shipping again when the 10 % discount takes 5184 below the £50 threshold: 5184 − 518 + 933 + 399 = 5998', () => {
    expect(priceCart(cart([MUGS, LANTERN, CUSHIONS], { promotion: SAVE10 }))).toMatchObject({
      subtotal: 5184,
      discount: 518, // 518.4
      tax: 933, // 20 % of 4666 = 933.2
      shipping: 399,
      total: 5998,
    });
  });

  it('rounds the discount once on the subtotal, not per line: 10 % of 3 × 5p is 2p (1.5), not 3p', () => {
    const lines = ['a', 'b', 'c'].map((id): PriceLine => ({ productId: id, name: id, quantity: 1, unitPrice: 5 }));
    const promo = { ...SAVE10, minSubtotal: 0 };
    expect(priceCart(cart(lines, { promotion: promo }))).toMatchObject({ subtotal: 15, discount: 2 });
  });

  it('rounds tax once on the discounted total, not per line: 20 % of 3 × 1p is 1p (0.6), not 0p', () => {
    const lines = ['a', 'b', 'c'].map((id): PriceLine => ({ productId: id, name: id, quantity: 1, unitPrice: 1 }));
    expect(priceCart(cart(lines))).toMatchObject({ subtotal: 3, tax: 1 });
  });

  it('reports a rejected code without discounting: £5 off needs £30, the cart is £21.84', () => {
    const priced = priceCart(cart([MUGS, LANTERN], { promotion: FIVEOFF }));
    expect(priced).toMatchObject({ subtotal: 2184, discount: 0, tax: 437, shipping: 399, total: 3020 });
    expect(priced.promoCode).toBeUndefined();
    expect(priced.promoRejection).toEqual({
      code: 'FIVEOFF',
      reason: 'BELOW_MIN_SUBTOTAL',
      message: 'Promotion FIVEOFF needs a subtotal of at least 30.00 GBP',
    });
  });

  it('reports an expired code as a rejection with reason EXPIRED', () => {
    const priced = priceCart(cart([MUGS, LANTERN], { promotion: SAVE10, now: new Date('2026-04-01T00:00:00Z') }));
    expect(priced).toMatchObject({ discount: 0, promoRejection: { code: 'SAVE10', reason: 'EXPIRED' } });
  });

  it('caps a fixed discount at the subtotal, leaving no tax and only shipping to pay', () => {
    const priced = priceCart(cart([LANTERN], { promotion: { ...FIVEOFF, value: 5000, minSubtotal: 0 } }));
    expect(priced).toMatchObject({ subtotal: 1299, discount: 1299, tax: 0, shipping: 399, total: 399 });
  });
});

describe('cart pricing: destinations and currencies', () => {
  const euroLamp: PriceLine = { productId: 'lamp', name: 'Lamp', quantity: 1, unitPrice: 1000, currency: 'EUR' };

  it('charges Irish VAT (23 %) and the EU fee on a EUR cart to IE: 1000 + 230 + 1199 = 2429', () => {
    expect(priceCart(cart([euroLamp], { currency: 'EUR', destinationCountry: 'IE' }))).toMatchObject({
      subtotal: 1000,
      tax: 230,
      shipping: 1199,
      total: 2429,
      currency: 'EUR',
    });
  });

  it('charges no tax and the rest-of-world fee to the US and to countries not in the tax table', () => {
    const usd: PriceLine = { ...euroLamp, currency: 'USD' };
    expect(priceCart(cart([usd], { currency: 'USD', destinationCountry: 'US' }))).toMatchObject({
      tax: 0,
      shipping: 2499,
      total: 3499,
    });
    expect(priceCart(cart([LANTERN], { destinationCountry: 'JP' }))).toMatchObject({
      tax: 0,
      shipping: 1999,
      total: 3298,
    });
  });

  it('accepts a lower-case, padded country code', () => {
    expect(priceCart(cart([MUGS, LANTERN], { destinationCountry: ' gb ' }))).toMatchObject({ tax: 437, total: 3020 });
  });

  it('prices an empty cart at zero everywhere, even with a code that applies', () => {
    const promo = { ...SAVE10, minSubtotal: 0 };
    expect(priceCart(cart([], { promotion: promo }))).toEqual({
      items: [],
      subtotal: 0,
      discount: 0,
      tax: 0,
      shipping: 0,
      total: 0,
      currency: 'GBP',
      promoCode: 'SAVE10',
    });
  });

  it('uses the rules it is given instead of the bundled tables', () => {
    const rules = { ...DEFAULT_PRICING_RULES, tax: parseTaxTable({ defaultRateBasisPoints: 500, rates: {} }) };
    expect(priceCart(cart([LANTERN]), rules)).toMatchObject({ tax: 65, total: 1299 + 65 + 399 }); // 64.95
  });
});

describe('cart pricing: refused input', () => {
  const validation = (input: PriceCartInput) => {
    const error = errorOf(() => priceCart(input));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    return error as DomainError;
  };

  it('refuses lines in more than one currency with a VALIDATION_ERROR naming the foreign line', () => {
    const error = validation(cart([MUGS, { ...LANTERN, currency: 'EUR' }]));
    expect(error.message).toMatch(/one currency/);
    expect(error.details).toContainEqual({ path: 'lines.1.currency', message: 'Is EUR; this cart is in GBP' });
  });

  it('refuses a currency the platform does not sell in', () => {
    validation(cart([], { currency: 'JPY' as CurrencyCode }));
  });

  it('refuses a bad destination country', () => {
    validation(cart([MUGS], { destinationCountry: 'GBR' }));
  });

  it('refuses a duplicate product, a zero or fractional quantity and a negative or fractional price, listing each', () => {
    const error = validation(
      cart([
        MUGS,
        { ...MUGS, productId: 'mug' },
        { ...LANTERN, quantity: 0 },
        { ...CUSHIONS, quantity: 1.5, unitPrice: -1 },
        { productId: 'x', name: 'x', quantity: 1, unitPrice: 9.99 },
      ]),
    );
    expect(error.details?.map((d) => d.path)).toEqual([
      'lines.1.productId',
      'lines.2.quantity',
      'lines.3.quantity',
      'lines.3.unitPrice',
      'lines.4.unitPrice',
    ]);
  });

  it('refuses a cart worth more than the largest chargeable amount', () => {
    validation(cart([{ productId: 'gold', name: 'Gold', quantity: 1_000_000, unitPrice: 100_000_000 }]));
  });

  it('leaves its input untouched (frozen input prices fine)', () => {
    const lines = Object.freeze([Object.freeze({ ...MUGS }), Object.freeze({ ...LANTERN })]);
    const input = Object.freeze({ ...cart([]), lines, promotion: Object.freeze({ ...SAVE10 }) });
    expect(priceCart(input).total).toBe(2758);
    expect(priceCart(input)).toEqual(priceCart(input));
  });
});

describe('cart pricing: properties', () => {
  const CURRENCIES: CurrencyCode[] = ['GBP', 'EUR', 'USD'];
  const COUNTRIES = ['GB', 'IE', 'FR', 'DE', 'NL', 'ES', 'IT', 'HU', 'US', 'JP', 'ZZ', ' fr'];

  const lineArb = fc.record({
    productId: fc.integer({ min: 0, max: 9999 }).map((n) => `p${n}`),
    name: fc.string({ maxLength: 10 }),
    quantity: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 },
      { arbitrary: fc.integer({ min: 1, max: 99 }), weight: 1 },
    ),
    // Mostly shop-sized prices, so carts land on both sides of the free-shipping thresholds.
    unitPrice: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 3_000 }), weight: 4 },
      { arbitrary: fc.integer({ min: 0, max: 500_000 }), weight: 1 },
    ),
  });
  const linesArb = fc.uniqueArray(lineArb, { selector: (l) => l.productId, maxLength: 12 });

  const isoAt = (offsetDays: number) => new Date(NOW.getTime() + offsetDays * 86_400_000).toISOString();
  const promotionArb: fc.Arbitrary<Promotion> = fc
    .record({
      kind: fc.constantFrom('PERCENTAGE' as const, 'FIXED_AMOUNT' as const),
      pct: fc.integer({ min: 1, max: 10_000 }),
      fixed: fc.integer({ min: 1, max: 2_000_000 }),
      minSubtotal: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
      ),
      currency: fc.option(
        fc.oneof(
          { arbitrary: fc.constant<CurrencyCode>('GBP'), weight: 3 },
          { arbitrary: fc.constantFrom(...CURRENCIES), weight: 1 },
        ),
        {
          nil: undefined,
        },
      ),
      startsInDays: fc.option(fc.integer({ min: -30, max: 5 }), { nil: undefined }),
      expiresInDays: fc.integer({ min: -5, max: 30 }),
      active: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
    })
    .map(({ kind, pct, fixed, minSubtotal, currency, startsInDays, expiresInDays, active }): Promotion => {
      // Keep every generated promotion a valid stored record: an amount needs a currency, a start precedes expiry.
      const needsCurrency = kind === 'FIXED_AMOUNT' || minSubtotal > 0;
      const promo: Promotion = {
        code: 'PROP10',
        kind,
        value: kind === 'PERCENTAGE' ? pct : fixed,
        minSubtotal,
        expiresAt: isoAt(expiresInDays),
        active,
      };
      if (currency !== undefined || needsCurrency) promo.currency = currency ?? 'GBP';
      if (startsInDays !== undefined && startsInDays < expiresInDays) promo.startsAt = isoAt(startsInDays);
      return promo;
    });

  const inputArb = fc.record({
    lines: linesArb,
    // Weighted to GBP so that GBP promotions meet matching carts often.
    currency: fc.oneof(
      { arbitrary: fc.constant<CurrencyCode>('GBP'), weight: 3 },
      { arbitrary: fc.constantFrom(...CURRENCIES), weight: 1 },
    ),
    destinationCountry: fc.constantFrom(...COUNTRIES),
    promotion: fc.option(promotionArb, { nil: undefined }),
    now: fc.constant(NOW),
  });

  const FIGURES = ['subtotal', 'discount', 'tax', 'shipping', 'total'] as const;
  const figures = (p: PricedCart) => Object.fromEntries(FIGURES.map((f) => [f, p[f]]));
  const isNonNegativeInteger = (n: number) => Number.isSafeInteger(n) && n >= 0;

  it('generates only promotions the stored-record schema accepts', () => {
    fc.assert(
      fc.property(promotionArb, (p) => {
        expect(Promotion.safeParse(p).success).toBe(true);
      }),
    );
  });

  it('makes every figure and every line total a non-negative integer', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const priced = priceCart(input);
        for (const f of FIGURES) expect(isNonNegativeInteger(priced[f]), f).toBe(true);
        for (const item of priced.items) expect(isNonNegativeInteger(item.lineTotal)).toBe(true);
      }),
    );
  });

  it('keeps total = subtotal − discount + tax + shipping, and subtotal = Σ line totals', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = priceCart(input);
        expect(p.total).toBe(p.subtotal - p.discount + p.tax + p.shipping);
        expect(p.subtotal).toBe(p.items.reduce((s, i) => s + i.lineTotal, 0));
        for (const i of p.items) expect(i.lineTotal).toBe(i.unitPrice * i.quantity);
      }),
    );
  });

  it('never discounts more than the subtotal, and discounts only with an applied code', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = priceCart(input);
        expect(p.discount).toBeLessThanOrEqual(p.subtotal);
        if (p.promoCode === undefined) expect(p.discount).toBe(0);
        expect(p.promoCode !== undefined && p.promoRejection !== undefined).toBe(false);
        expect(input.promotion === undefined || p.promoCode !== undefined || p.promoRejection !== undefined).toBe(true);
      }),
    );
  });

  it('never lowers the subtotal when a line is added', () => {
    fc.assert(
      fc.property(inputArb, lineArb, (input, extra) => {
        fc.pre(!input.lines.some((l) => l.productId === extra.productId));
        const before = priceCart(input);
        const after = priceCart({ ...input, lines: [...input.lines, extra] });
        expect(after.subtotal).toBeGreaterThanOrEqual(before.subtotal);
        expect(after.subtotal - before.subtotal).toBe(extra.unitPrice * extra.quantity);
      }),
    );
  });

  it('gives an applied percentage code exactly percentOf(subtotal, value)', () => {
    // A percentage code that always applies (active, current, any currency, no minimum), so no run is vacuous.
    const percentageArb = fc
      .integer({ min: 1, max: 10_000 })
      .map((value): Promotion => ({
        code: 'PCT',
        kind: 'PERCENTAGE',
        value,
        minSubtotal: 0,
        expiresAt: '2030-01-01T00:00:00Z',
        active: true,
      }));
    fc.assert(
      fc.property(inputArb, percentageArb, (input, promotion) => {
        const p = priceCart({ ...input, promotion });
        expect(p.promoCode).toBe('PCT');
        expect(p.discount).toBe(percentOf(p.subtotal, promotion.value));
      }),
    );
  });

  it("charges tax of exactly the destination's rate on (subtotal − discount), and shipping of 0 or the zone's flat fee", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = priceCart(input);
        const country = input.destinationCountry.trim().toUpperCase();
        expect(p.tax).toBe(percentOf(p.subtotal - p.discount, taxRateFor(country)));
        const fee = zoneFor(country).fees[input.currency];
        expect([0, fee.flatFee]).toContain(p.shipping);
        if (input.lines.length === 0) expect(p.shipping).toBe(0);
      }),
    );
  });

  it('prices the same lines in any order to the same figures and the same items', () => {
    fc.assert(
      fc.property(
        inputArb.chain((input) =>
          fc.tuple(
            fc.constant(input),
            fc.shuffledSubarray(input.lines, { minLength: input.lines.length, maxLength: input.lines.length }),
          ),
        ),
        ([input, shuffled]) => {
          const a = priceCart(input);
          const b = priceCart({ ...input, lines: shuffled });
          expect(figures(b)).toEqual(figures(a));
          expect(b.promoCode).toBe(a.promoCode);
          expect(b.promoRejection).toEqual(a.promoRejection);
          const byId = (x: { productId: string }, y: { productId: string }) => (x.productId < y.productId ? -1 : 1);
          expect([...b.items].sort(byId)).toEqual([...a.items].sort(byId));
        },
      ),
    );
  });
});
