/**
 * Which browser origins may call the API, and what they may send and read (API.md: CORS). One policy for
 * the three places that answer browsers: the functions' middy stack (functions/shared/http.ts), API
 * Gateway's preflight and error responses (lib/contexts/api.ts) and the local edge (lib/local/edge/cors.ts).
 *
 * An allowed origin is written `scheme://host[:port]`, or `scheme://host:*` for any port of that host
 * (`http://localhost:*`, for storefronts on a developer's machine, whatever port their dev server picks).
 * Origins are compared as the strings browsers send: the serialized origin, lower case, without a default
 * port — which is also all API Gateway's mapping templates can do, so both substrates decide alike.
 */

/** The environment variable of every HTTP function (set by the CDK from context; locally by the platform). */
export const CORS_ORIGINS_ENV = 'CORS_ALLOWED_ORIGINS';

/**
 * Request headers the routes read, beyond the CORS-safelisted ones: the bearer token, JSON bodies, the
 * idempotency key of POST /v1/orders, the anonymous cart's session, the client's request id and the Cognito
 * device fingerprint of POST /v1/auth/login. A unit test holds this to the headers the route contracts declare.
 */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Cognito-Context-Data',
  'X-Request-Id',
  'X-Session-Id',
] as const;

/**
 * Response headers a browser app may read besides the CORS-safelisted ones: the request id every answer
 * carries, Retry-After on 429s, Location on 201/202, and the analytics routes' x-cache.
 */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'Retry-After', 'Location', 'x-cache'] as const;

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours, Firefox at 24). */
export const CORS_MAX_AGE_SECONDS = 7200;

/** One allowed origin: exactly this origin, or this scheme and host on any port (none included). */
export type OriginPattern = { kind: 'exact'; origin: string } | { kind: 'anyPort'; base: string };

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };
const PATTERN = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?$/;
/** What follows `host:` in an origin on some port. */
export const PORT_DIGITS = /^[0-9]{1,5}$/;

/** Parses one allowed origin as configured; throws naming it when it is not `scheme://host[:port|:*]`. */
export function parseOriginPattern(text: string): OriginPattern {
  const value = text.trim().toLowerCase();
  if (value === '*') {
    throw new Error('CORS: "*" (any origin) is not accepted; list the origins of the browser apps that call the API');
  }
  const m = PATTERN.exec(value);
  if (!m) {
    throw new Error(
      `CORS: "${text}" is not an origin: write scheme://host, scheme://host:port or scheme://host:* (http or https, no path, no trailing slash)`,
    );
  }
  const [, scheme, host, port] = m;
  const base = `${scheme}://${host}`;
  if (port === '*') return { kind: 'anyPort', base };
  if (port !== undefined && Number(port) > 65535) throw new Error(`CORS: "${text}" has no valid port`);
  // Browsers leave the default port out of the Origin they send.
  const explicitPort = port !== undefined && port !== DEFAULT_PORTS[scheme];
  return { kind: 'exact', origin: explicitPort ? `${base}:${port}` : base };
}

/** Parses a list of allowed origins: an array, or one comma-separated string (the environment's form). */
export function parseAllowedOrigins(value: string | readonly string[] | undefined): OriginPattern[] {
  const items = typeof value === 'string' ? value.split(',') : (value ?? []);
  return items
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(parseOriginPattern);
}

/** The configured form of a pattern (what the environment variable carries). */
export const formatOriginPattern = (pattern: OriginPattern): string =>
  pattern.kind === 'exact' ? pattern.origin : `${pattern.base}:*`;

/** Whether a request's Origin header names an allowed origin. */
export function isOriginAllowed(patterns: readonly OriginPattern[], origin: string | undefined): boolean {
  if (!origin) return false;
  return patterns.some((p) => {
    if (p.kind === 'exact') return origin === p.origin;
    return origin === p.base || (origin.startsWith(`${p.base}:`) && PORT_DIGITS.test(origin.slice(p.base.length + 1)));
  });
}

/** A header's value from API Gateway's or Node's headers, whatever the case of its name. */
export function headerValue(
  headers: Record<string, string | string[] | undefined> | null | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
