/**
 * CORS at the local edge, as API Gateway answers it in AWS (lib/contexts/api.ts): preflights are answered
 * by the edge itself (API Gateway's mock OPTIONS method on every resource), with exactly the methods the
 * path has; the edge's own refusals (401, 404, 413…, API Gateway's gateway responses) carry the CORS
 * headers too. Functions' answers pass through untouched: they carry their own (functions/shared/http.ts).
 */
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  isOriginAllowed,
  type OriginPattern,
} from '../../../functions/shared/cors';

/** The headers on an answer the edge makes itself: the origin echoed when allowed; always Vary: Origin. */
export function edgeCorsHeaders(allowed: readonly OriginPattern[], origin: string | undefined): Record<string, string> {
  if (!isOriginAllowed(allowed, origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin!,
    'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
  };
}

/**
 * The answer to a preflight of a path that has `methods`. An origin that is not allowed gets no
 * Access-Control-Allow-Origin, which is how a browser is told no (the status stays 204, as API Gateway's is).
 */
export function preflightHeaders(
  allowed: readonly OriginPattern[],
  origin: string | undefined,
  methods: readonly string[],
): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-methods': [...methods, 'OPTIONS'].join(','),
    'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(','),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'Origin',
  };
  if (isOriginAllowed(allowed, origin)) headers['access-control-allow-origin'] = origin!;
  return headers;
}
