import * as z from 'zod/mini';
import { invalid } from '../../shared/errors';

/** ISO 3166-1 alpha-2, upper case: the key of the tax and shipping tables. */
export const CountryCode = z.string().check(z.regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 country code'));

/** `' gb '` → `'GB'`; anything that is not two letters is a client error. */
export function normalizeCountry(code: string, path = 'destinationCountry'): string {
  const normalized = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(normalized)) {
    throw invalid('Destination country is not valid', [
      { path, message: 'Must be an ISO 3166-1 alpha-2 country code' },
    ]);
  }
  return normalized;
}
