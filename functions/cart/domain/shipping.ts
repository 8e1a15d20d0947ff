/**
 * Shipping by destination zone. Each zone lists its countries and, for every supported currency, a
 * flat fee and the (subtotal − discount) from which shipping is free; countries in no zone fall in the
 * default zone. The rules are data (../data/shipping-rules.json), validated when this module loads.
 */
import * as z from 'zod/mini';
import rawShippingRules from '../data/shipping-rules.json' with { type: 'json' };
import { Currency, MinorUnits } from '../../shared/schemas';
import { CountryCode } from './country';
import type { CurrencyCode } from './money';

const Fee = z.strictObject({
  flatFee: MinorUnits,
  /** Inclusive: shipping is free when (subtotal − discount) ≥ freeFrom. Absent: never free. */
  freeFrom: z.optional(MinorUnits),
});

const Zone = z.strictObject({
  zone: z.string().check(z.regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'Must be an upper-case name')),
  countries: z.array(CountryCode),
  // A record keyed by the currency enum must name every supported currency: no cart is left unpriced.
  fees: z.record(Currency, Fee),
});

export const ShippingRules = z
  .strictObject({
    basis: z.optional(z.string()),
    defaultZone: z.string(),
    zones: z.array(Zone).check(z.minLength(1)),
  })
  .check(
    z.refine((r) => new Set(r.zones.map((zone) => zone.zone)).size === r.zones.length, {
      message: 'Zone names must be unique',
      path: ['zones'],
    }),
    z.refine(
      (r) => {
        const all = r.zones.flatMap((zone) => zone.countries);
        return new Set(all).size === all.length;
      },
      { message: 'A country belongs to one zone at most', path: ['zones'] },
    ),
    z.refine((r) => r.zones.some((zone) => zone.zone === r.defaultZone), {
      message: 'Must name one of the zones',
      path: ['defaultZone'],
    }),
  );
export type ShippingRules = z.infer<typeof ShippingRules>;
export type ShippingZone = ShippingRules['zones'][number];

export function parseShippingRules(raw: unknown): ShippingRules {
  const parsed = ShippingRules.safeParse(raw);
  if (!parsed.success)
    throw new Error(`Invalid shipping rules: ${JSON.stringify(parsed.error.issues)}`, { cause: parsed.error });
  return parsed.data;
}

export const SHIPPING_RULES: ShippingRules = parseShippingRules(rawShippingRules);

/** The zone a normalised country code ships to. */
export function zoneFor(country: string, rules: ShippingRules = SHIPPING_RULES): ShippingZone {
  const zone =
    rules.zones.find((z) => z.countries.includes(country)) ?? rules.zones.find((z) => z.zone === rules.defaultZone);
  // parseShippingRules guarantees the default zone exists; a hand-built table might not.
  if (!zone) throw new Error(`Shipping rules have no zone for ${country} and no default zone ${rules.defaultZone}`);
  return zone;
}

export interface ShippingContext {
  country: string;
  currency: CurrencyCode;
  /** Number of lines in the cart: an empty cart pays no shipping. */
  lineCount: number;
  /** subtotal − discount, in minor units of `currency`. */
  merchandiseTotal: number;
}

export function shippingFor(
  { country, currency, lineCount, merchandiseTotal }: ShippingContext,
  rules: ShippingRules = SHIPPING_RULES,
): number {
  if (lineCount === 0) return 0;
  const fee = zoneFor(country, rules).fees[currency];
  return fee.freeFrom !== undefined && merchandiseTotal >= fee.freeFrom ? 0 : fee.flatFee;
}
