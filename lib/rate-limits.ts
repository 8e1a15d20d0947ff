/**
 * Rate limits by client class, as data: the one configuration the CDK (stage and method throttling, the partners'
 * usage plan, WAF's rate-based rules; lib/contexts/api.ts) and the local edge (token buckets,
 * lib/local/edge/rate-limits/) are both built from. A throttled request gets 429 RATE_LIMITED with Retry-After.
 *
 * A request's class, as both classify it: an API key header → a partner (counted per key); a bearer token → a
 * signed-in shopper (per user); else an anonymous shopper (per source IP).
 */
import { z } from 'zod';

export const CLIENT_CLASSES = ['anonymous', 'signedIn', 'partner'] as const;
export type ClientClass = (typeof CLIENT_CLASSES)[number];

/** The header partners send their usage plan's API key in (API Gateway's own). */
export const API_KEY_HEADER = 'x-api-key';

const positiveInt = z.number().int().positive();

const clientLimitSchema = z
  .object({
    /** One client's steady requests per second (a token bucket's refill). */
    rateLimit: z.number().positive(),
    /** The requests one client may send at once (the bucket's size). */
    burstLimit: positiveInt,
    /** One client's requests in WAF's 5-minute window; WAF accepts 10 at least. */
    requestsPer5Minutes: z.number().int().min(10),
  })
  .strict();

const throttleSchema = z.object({ rateLimit: positiveInt, burstLimit: positiveInt }).strict();

/** Shoppers are told apart only by WAF and the local edge; API Gateway throttles each method for all of them. */
const shopperLimitSchema = clientLimitSchema
  .extend({
    /** All shoppers of the class together on each method of theirs (API Gateway's method throttling). */
    perMethod: throttleSchema,
  })
  .strict();

const rateLimitsSchema = z
  .object({
    anonymous: shopperLimitSchema,
    signedIn: shopperLimitSchema,
    /** Partners are told apart by their usage plan's API key: its throttle is per key, with a daily quota. */
    partner: clientLimitSchema.extend({ quotaPerDay: positiveInt }).strict(),
    /** All clients together on the stage (API Gateway's stage throttling). */
    stage: throttleSchema,
    /** Any one IP in WAF's 5-minute window, whatever its class: the backstop against rotated tokens and keys. */
    requestsPerIpPer5Minutes: z.number().int().min(10),
  })
  .strict();

export type ClientLimit = z.infer<typeof clientLimitSchema>;
export type RateLimits = z.infer<typeof rateLimitsSchema>;

/**
 * - anonymous shoppers browse: 5 requests a second with bursts of 20 (a page load fans out to a few reads),
 *   1,000 in 5 minutes per IP.
 * - signed-in shoppers also fill carts and check out: 10 a second, bursts of 40, 1,500 in 5 minutes per user.
 * - partner API clients sync catalogs in bulk: 50 a second, bursts of 100, 10,000 requests a day per key.
 * - each method, for all shoppers of a class: 100 a second, bursts of 200 (half the stage: one hot route cannot
 *   starve the others).
 * - the stage as a whole: 200 a second, bursts of 400 (the account's default share, as before).
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  anonymous: {
    rateLimit: 5,
    burstLimit: 20,
    requestsPer5Minutes: 1000,
    perMethod: { rateLimit: 100, burstLimit: 200 },
  },
  signedIn: {
    rateLimit: 10,
    burstLimit: 40,
    requestsPer5Minutes: 1500,
    perMethod: { rateLimit: 100, burstLimit: 200 },
  },
  partner: { rateLimit: 50, burstLimit: 100, requestsPer5Minutes: 1800, quotaPerDay: 10_000 },
  stage: { rateLimit: 200, burstLimit: 400 },
  requestsPerIpPer5Minutes: 2000,
};

/** The context key of per-stage overrides, e.g. `{"Prod": {"anonymous": {"rateLimit": 10}}}`. */
export const RATE_LIMITS_CONTEXT = 'ecicomm:rateLimits';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `overrides` laid over `base`, object by object; anything else in `overrides` replaces what `base` has. */
const overlay = (base: unknown, overrides: unknown): unknown =>
  isObject(base) && isObject(overrides)
    ? Object.fromEntries(
        [...new Set([...Object.keys(base), ...Object.keys(overrides)])].map((k) => [
          k,
          k in overrides ? overlay(base[k], overrides[k]) : base[k],
        ]),
      )
    : overrides;

/** The defaults with a stage's overrides applied, checked whole; a bad key or value fails naming it. */
export function rateLimitsWith(overrides: unknown, base: RateLimits = DEFAULT_RATE_LIMITS): RateLimits {
  if (overrides === undefined) return base;
  if (!isObject(overrides)) throw new Error(`${RATE_LIMITS_CONTEXT}: a stage's overrides must be an object`);
  const parsed = rateLimitsSchema.safeParse(overlay(base, overrides));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${RATE_LIMITS_CONTEXT}: ${issues.join('; ')}`);
  }
  for (const name of ['anonymous', 'signedIn'] as const) {
    const { perMethod } = parsed.data[name];
    if (perMethod.rateLimit > parsed.data.stage.rateLimit || perMethod.burstLimit > parsed.data.stage.burstLimit)
      throw new Error(`${RATE_LIMITS_CONTEXT}: ${name}.perMethod exceeds the stage's throttle`);
  }
  for (const name of CLIENT_CLASSES) {
    const { requestsPer5Minutes } = parsed.data[name];
    if (requestsPer5Minutes > parsed.data.requestsPerIpPer5Minutes)
      throw new Error(`${RATE_LIMITS_CONTEXT}: ${name}.requestsPer5Minutes exceeds requestsPerIpPer5Minutes`);
  }
  return parsed.data;
}
