import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/shared/errors';
import { normalizeCountry } from '../../functions/cart/domain/country';
import { parseTaxTable, TAX_TABLE, taxFor, taxRateFor } from '../../functions/cart/domain/tax';
import {
  parseShippingRules,
  SHIPPING_RULES,
  shippingFor,
  zoneFor,
  type ShippingRules,
} from '../../functions/cart/domain/shipping';
import rawTaxRates from '../../functions/cart/data/tax-rates.json' with { type: 'json' };
import rawShippingRules from '../../functions/cart/data/shipping-rules.json' with { type: 'json' };

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('cart tax: rate table', () => {
  it.each([
    ['GB', 2000],
    ['IE', 2300],
    ['FR', 2000],
    ['DE', 1900],
    ['NL', 2100],
    ['ES', 2100],
    ['IT', 2200],
    ['US', 0],
  ])('charges %s its rate of %i basis points', (country, bp) => {
    expect(taxRateFor(country)).toBe(bp);
  });

  it('falls back to the default rate (zero-rated export) for a country not in the table', () => {
    expect(TAX_TABLE.defaultRateBasisPoints).toBe(0);
    expect(taxRateFor('JP')).toBe(0);
    expect(taxRateFor('ZZ')).toBe(0);
  });

  it('has a tax rate for every country the EU shipping zone serves', () => {
    const eu = SHIPPING_RULES.zones.find((z) => z.zone === 'EU')!;
    expect(eu.countries).toHaveLength(27);
    for (const country of eu.countries) expect(Object.hasOwn(TAX_TABLE.rates, country), country).toBe(true);
  });

  it('rounds tax once on the taxable amount, half away from zero', () => {
    expect(taxFor(2184, 'GB')).toBe(437); // 436.8
    expect(taxFor(1966, 'GB')).toBe(393); // 393.2
    expect(taxFor(50, 'DE')).toBe(10); // 9.5
    expect(taxFor(1000, 'IE')).toBe(230);
    expect(taxFor(0, 'GB')).toBe(0);
  });

  it('refuses at load a table with a rate above 100 %, a fractional rate, a lower-case country or no default', () => {
    expect(() => parseTaxTable({ ...rawTaxRates, rates: { GB: 10_001 } })).toThrow(/Invalid tax table/);
    expect(() => parseTaxTable({ ...rawTaxRates, rates: { GB: 2000.5 } })).toThrow(/Invalid tax table/);
    expect(() => parseTaxTable({ ...rawTaxRates, rates: { gb: 2000 } })).toThrow(/Invalid tax table/);
    const { defaultRateBasisPoints: _, ...noDefault } = rawTaxRates;
    expect(() => parseTaxTable(noDefault)).toThrow(/Invalid tax table/);
  });
});

describe('cart shipping: zone rules', () => {
  const gbp = (country: string, merchandiseTotal: number, lineCount = 1) =>
    shippingFor({ country, currency: 'GBP', lineCount, merchandiseTotal });

  it('puts GB in the domestic zone, EU members in the EU zone and everyone else in the rest of the world', () => {
    expect(zoneFor('GB').zone).toBe('DOMESTIC');
    expect(zoneFor('FR').zone).toBe('EU');
    expect(zoneFor('IE').zone).toBe('EU');
    expect(zoneFor('US').zone).toBe('REST_OF_WORLD');
    expect(zoneFor('ZZ').zone).toBe('REST_OF_WORLD');
  });

  it('charges the domestic flat fee of £3.99 below £50 and nothing from exactly £50', () => {
    expect(gbp('GB', 4999)).toBe(399);
    expect(gbp('GB', 5000)).toBe(0);
    expect(gbp('GB', 12_345)).toBe(0);
  });

  it('charges the fee of the zone and the currency of the cart', () => {
    expect(gbp('FR', 9999)).toBe(999);
    expect(gbp('FR', 10_000)).toBe(0);
    expect(gbp('JP', 19_999)).toBe(1999);
    expect(shippingFor({ country: 'DE', currency: 'EUR', lineCount: 2, merchandiseTotal: 1000 })).toBe(1199);
    expect(shippingFor({ country: 'US', currency: 'USD', lineCount: 2, merchandiseTotal: 1000 })).toBe(2499);
  });

  it('charges nothing for an empty cart', () => {
    expect(gbp('GB', 0, 0)).toBe(0);
    expect(gbp('JP', 0, 0)).toBe(0);
  });

  it('still charges the flat fee when a discount brings the merchandise total to zero', () => {
    expect(gbp('GB', 0, 1)).toBe(399);
  });

  it('never ships free under a rule without a threshold', () => {
    const rules: ShippingRules = parseShippingRules({
      defaultZone: 'ALL',
      zones: [
        { zone: 'ALL', countries: [], fees: { GBP: { flatFee: 250 }, EUR: { flatFee: 300 }, USD: { flatFee: 300 } } },
      ],
    });
    expect(shippingFor({ country: 'GB', currency: 'GBP', lineCount: 1, merchandiseTotal: 10_000_000 }, rules)).toBe(
      250,
    );
  });

  it('refuses at load rules with a country in two zones, an unknown default zone or a currency without fees', () => {
    const zones = rawShippingRules.zones;
    expect(() =>
      parseShippingRules({
        ...rawShippingRules,
        zones: [zones[0], { ...zones[1], countries: ['GB', 'FR'] }, zones[2]],
      }),
    ).toThrow(/one zone at most/);
    expect(() => parseShippingRules({ ...rawShippingRules, defaultZone: 'MOON' })).toThrow(
      /Must name one of the zones/,
    );
    const { USD: _, ...noUsd } = zones[0].fees;
    expect(() =>
      parseShippingRules({ ...rawShippingRules, zones: [{ ...zones[0], fees: noUsd }, zones[1], zones[2]] }),
    ).toThrow(/Invalid shipping rules/);
    expect(() => parseShippingRules({ ...rawShippingRules, zones: [zones[0], zones[0], zones[2]] })).toThrow(/unique/);
  });
});

describe('cart destination country', () => {
  it('normalizes a country code by trimming and upper-casing it', () => {
    expect(normalizeCountry(' gb ')).toBe('GB');
  });

  it('refuses anything but a two-letter code with a VALIDATION_ERROR', () => {
    for (const bad of ['GBR', 'G', '', '12', 'U.S.']) {
      const error = errorOf(() => normalizeCountry(bad));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    }
  });
});
