/**
 * Tax by destination. Catalog prices are tax-exclusive; tax is the destination's rate applied to the
 * discounted merchandise total (subtotal − discount), rounded once (money.ts). The rates are data
 * (../data/tax-rates.json), validated when this module loads so a bad table fails the function's cold
 * start rather than a shopper's request.
 */
import * as z from 'zod/mini';
import rawTaxRates from '../data/tax-rates.json' with { type: 'json' };
import { BASIS_POINTS_PER_WHOLE, percentOf } from './money';
import { CountryCode } from './country';

const Rate = z
  .int('Must be an integer number of basis points')
  .check(
    z.minimum(0, 'Must not be negative'),
    z.maximum(BASIS_POINTS_PER_WHOLE, `Must be at most ${BASIS_POINTS_PER_WHOLE} basis points`),
  );

export const TaxTable = z.strictObject({
  /** The date the rates were last checked against the tax authorities. */
  asOf: z.optional(z.iso.date()),
  basis: z.optional(z.string()),
  defaultRateBasisPoints: Rate,
  rates: z.record(CountryCode, Rate),
});
export type TaxTable = z.infer<typeof TaxTable>;

export function parseTaxTable(raw: unknown): TaxTable {
  const parsed = TaxTable.safeParse(raw);
  if (!parsed.success)
    throw new Error(`Invalid tax table: ${JSON.stringify(parsed.error.issues)}`, { cause: parsed.error });
  return parsed.data;
}

export const TAX_TABLE: TaxTable = parseTaxTable(rawTaxRates);

/** The rate for a normalised country code, or the table's default when the country is not listed. */
export const taxRateFor = (country: string, table: TaxTable = TAX_TABLE): number =>
  Object.hasOwn(table.rates, country) ? table.rates[country] : table.defaultRateBasisPoints;

/** Tax on `taxable` (subtotal − discount) for a destination, rounded once. */
export const taxFor = (taxable: number, country: string, table: TaxTable = TAX_TABLE): number =>
  percentOf(taxable, taxRateFor(country, table));
