/**
 * The partners' API keys, checked as API Gateway checks a usage plan's keys on a method with apiKeyRequired: a
 * request to a partner route without one of them is refused 403 (INVALID_API_KEY → FORBIDDEN, lib/contexts/api.ts)
 * before anything else sees it; the key and its id reach the function in the event's identity.
 */
import { randomBytes } from 'node:crypto';
import type { Route } from '../../routes';
import { API_KEY_HEADER } from '../../rate-limits';
import { EdgeRefusal } from './errors';

/** A partner client and its API key (in AWS: one ApiKey of the partners' usage plan, context ecicomm:partnerClients). */
export interface PartnerKey {
  readonly partner: string;
  readonly key: string;
}

/** The partner an API key belongs to, by the key. */
export type ApiKeys = ReadonlyMap<string, string>;

export const apiKeysOf = (partners: readonly PartnerKey[]): ApiKeys =>
  new Map(partners.map(({ partner, key }) => [key, partner]));

/** API Gateway's generated keys: 40 letters and digits. */
export const newApiKey = (): string => randomBytes(30).toString('base64url').replace(/[-_]/g, 'x').slice(0, 40);

/** The valid API key a request carries, with its partner; undefined for no key or one that is no partner's. */
export function partnerOf(
  headers: Record<string, string | string[] | undefined>,
  keys: ApiKeys,
): { key: string; partner: string } | undefined {
  const key = headers[API_KEY_HEADER];
  if (typeof key !== 'string') return undefined;
  const partner = keys.get(key);
  return partner === undefined ? undefined : { key, partner };
}

/** For a partner route, the caller's valid key, or a 403 refusal; undefined for every other route. */
export function requireApiKey(
  route: Route,
  headers: Record<string, string | string[] | undefined>,
  keys: ApiKeys,
): { key: string; partner: string } | undefined {
  if (route.auth.kind !== 'apiKey') return undefined;
  const partner = partnerOf(headers, keys);
  // API Gateway's own message for a missing or unknown key.
  if (!partner) throw new EdgeRefusal(403, 'FORBIDDEN', 'Forbidden');
  return partner;
}

/**
 * LOCAL_PARTNER_KEYS: comma-separated `partner=key` pairs (a bare key is partner `local-partner`'s). Names follow
 * context ecicomm:partnerClients; keys are 20+ printable characters, as API Gateway requires of imported keys.
 */
export function parsePartnerKeys(text: string, defaultPartner = 'local-partner'): PartnerKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const keys = entries.map((entry) => {
    const at = entry.indexOf('=');
    const [partner, key] = at < 0 ? [defaultPartner, entry] : [entry.slice(0, at), entry.slice(at + 1)];
    if (!/^[a-z0-9-]{1,40}$/.test(partner))
      throw new Error(`LOCAL_PARTNER_KEYS: partner "${partner}" must be 1-40 lower-case letters, digits or dashes`);
    if (!/^[\x21-\x7e]{20,128}$/.test(key))
      throw new Error(`LOCAL_PARTNER_KEYS: the key of partner ${partner} must be 20-128 printable characters`);
    return { partner, key };
  });
  if (keys.length === 0) throw new Error('LOCAL_PARTNER_KEYS names no key');
  if (new Set(keys.map((k) => k.key)).size < keys.length) throw new Error('LOCAL_PARTNER_KEYS repeats a key');
  return keys;
}
