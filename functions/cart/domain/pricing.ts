/**
 * The price of a cart, recomputed from catalog prices on every change (the client's figures are never
 * trusted):
 *
 *   lineTotal = unitPrice × quantity                      exact
 *   subtotal  = Σ lineTotal                               exact
 *   discount  = the promotion's, 0 ≤ discount ≤ subtotal   a percentage rounded once (money.ts)
 *   tax       = rate(destination) × (subtotal − discount)  rounded once; catalog prices are tax-exclusive
 *   shipping  = zone fee, free from a threshold of (subtotal − discount), 0 for an empty cart
 *   total     = subtotal − discount + tax + shipping
 *
 * Pure and deterministic: the time comes in as `now`, the tables as `rules`, and the figures do not
 * depend on the order of the lines.
 */
import { invalid, type ErrorDetail } from '../../shared/errors';
import { SUPPORTED_CURRENCIES } from '../../shared/schemas';
import { normalizeCountry } from './country';
import { MAX_AMOUNT, multiply, sum, type CurrencyCode } from './money';
import { evaluatePromotion, type Promotion, type PromotionRejectionReason } from './promotions';
import { SHIPPING_RULES, shippingFor, type ShippingRules } from './shipping';
import { TAX_TABLE, taxFor, type TaxTable } from './tax';

export interface PriceLine {
  productId: string;
  name: string;
  quantity: number;
  /** Current catalog price, tax-exclusive, in minor units. */
  unitPrice: number;
  /** The catalog price's currency. Pass it: a line in another currency than the cart's is refused. */
  currency?: string;
}

export interface PriceCartInput {
  lines: readonly PriceLine[];
  currency: CurrencyCode;
  destinationCountry: string;
  /** The stored promotion the cart's code names, if any; whether it applies is decided here. */
  promotion?: Promotion;
  now: Date;
}

export interface PricedItem {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
}

export interface PromoRejection {
  code: string;
  reason: PromotionRejectionReason;
  message: string;
}

export interface PricedCart {
  items: PricedItem[];
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  total: number;
  currency: CurrencyCode;
  /** The code of the promotion that applied. */
  promoCode?: string;
  /** Present when a promotion was given but does not apply; the discount is then 0. */
  promoRejection?: PromoRejection;
}

export interface PricingRules {
  tax: TaxTable;
  shipping: ShippingRules;
}

export const DEFAULT_PRICING_RULES: PricingRules = { tax: TAX_TABLE, shipping: SHIPPING_RULES };

export function priceCart(input: PriceCartInput, rules: PricingRules = DEFAULT_PRICING_RULES): PricedCart {
  const { lines, currency, promotion, now } = input;
  if (!(SUPPORTED_CURRENCIES as readonly string[]).includes(currency)) {
    throw invalid('Currency is not supported', [
      { path: 'currency', message: `Must be one of ${SUPPORTED_CURRENCIES.join(', ')}` },
    ]);
  }
  const country = normalizeCountry(input.destinationCountry);
  checkLines(lines, currency);

  const items: PricedItem[] = lines.map(({ productId, name, quantity, unitPrice }) => ({
    productId,
    name,
    quantity,
    unitPrice,
    lineTotal: multiply(unitPrice, quantity),
  }));
  const subtotal = sum(items.map((item) => item.lineTotal));
  if (subtotal > MAX_AMOUNT) throw invalid('The cart is worth more than can be charged in one order');

  let discount = 0;
  let promoCode: string | undefined;
  let promoRejection: PromoRejection | undefined;
  if (promotion) {
    const outcome = evaluatePromotion(promotion, { subtotal, currency, now });
    if (outcome.applies) {
      discount = outcome.discount;
      promoCode = promotion.code;
    } else {
      promoRejection = { code: promotion.code, reason: outcome.reason, message: outcome.message };
    }
  }

  const merchandiseTotal = subtotal - discount;
  const tax = taxFor(merchandiseTotal, country, rules.tax);
  const shipping = shippingFor({ country, currency, lineCount: items.length, merchandiseTotal }, rules.shipping);
  const total = sum([merchandiseTotal, tax, shipping]);

  return {
    items,
    subtotal,
    discount,
    tax,
    shipping,
    total,
    currency,
    ...(promoCode !== undefined && { promoCode }),
    ...(promoRejection !== undefined && { promoRejection }),
  };
}

/** Every problem with the lines at once, so a client (or a bug report) sees them all. */
function checkLines(lines: readonly PriceLine[], currency: string): void {
  const details: ErrorDetail[] = [];
  const foreign: ErrorDetail[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    const at = (field: string) => `lines.${i}.${field}`;
    if (typeof line.productId !== 'string' || line.productId === '') {
      details.push({ path: at('productId'), message: 'Is required' });
    } else if (seen.has(line.productId)) {
      details.push({ path: at('productId'), message: `Product ${line.productId} appears on more than one line` });
    } else {
      seen.add(line.productId);
    }
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      details.push({ path: at('quantity'), message: 'Must be a whole number of at least 1' });
    }
    if (!Number.isSafeInteger(line.unitPrice) || line.unitPrice < 0 || line.unitPrice > MAX_AMOUNT) {
      details.push({ path: at('unitPrice'), message: 'Must be a non-negative integer number of minor units' });
    }
    if (line.currency !== undefined && line.currency !== currency) {
      foreign.push({ path: at('currency'), message: `Is ${line.currency}; this cart is in ${currency}` });
    }
  });
  if (foreign.length) throw invalid(`A cart holds lines in one currency only (${currency})`, [...foreign, ...details]);
  if (details.length) throw invalid('Cart lines are not valid', details);
}
