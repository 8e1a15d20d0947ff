/**
 * The CORS policy (functions/shared/cors.ts) and the one place functions apply it (the middy stack of
 * functions/shared/http.ts): which configured origins are accepted, which request origins they allow, that
 * the allowed request headers are exactly the ones the routes read, and that a function's answers — its
 * errors too — carry the headers for an allowed origin and no Access-Control-Allow-Origin for any other.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { routeContracts } from '../../functions/api/routes';
import {
  CORS_ALLOWED_HEADERS,
  CORS_ORIGINS_ENV,
  formatOriginPattern,
  isOriginAllowed,
  parseAllowedOrigins,
  parseOriginPattern,
} from '../../functions/shared/cors';
import { DomainError } from '../../functions/shared/errors';
import { httpHandler, json } from '../../functions/shared/http';
import { lambdaContext } from '@ecicomm/local-platform/lambda/context';

describe('configured origins', () => {
  it('accept scheme://host, scheme://host:port and scheme://host:* and keep them as browsers send origins', () => {
    expect(
      parseAllowedOrigins(
        ' https://Shop.Example.com , http://localhost:*,http://127.0.0.1:5173,,https://a.example:443,http://b.example:80,http://[::1]:*',
      ),
    ).toEqual([
      { kind: 'exact', origin: 'https://shop.example.com' },
      { kind: 'anyPort', base: 'http://localhost' },
      { kind: 'exact', origin: 'http://127.0.0.1:5173' },
      // The default port is never in a browser's Origin header.
      { kind: 'exact', origin: 'https://a.example' },
      { kind: 'exact', origin: 'http://b.example' },
      { kind: 'anyPort', base: 'http://[::1]' },
    ]);
    expect(parseAllowedOrigins(['http://localhost:*']).map(formatOriginPattern)).toEqual(['http://localhost:*']);
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(parseAllowedOrigins('')).toEqual([]);
  });

  it.each([
    ['*', /any origin/],
    ['https://shop.example.com/', /not an origin/],
    ['https://shop.example.com/app', /not an origin/],
    ['shop.example.com', /not an origin/],
    ['ftp://shop.example.com', /not an origin/],
    ['https://*.example.com', /not an origin/],
    ['https://shop.example.com:99999', /no valid port/],
    ['null', /not an origin/],
  ])('refuse %s, naming it', (origin, message) => {
    expect(() => parseOriginPattern(origin)).toThrow(message);
    expect(() => parseAllowedOrigins(`http://localhost:*,${origin}`)).toThrow(message);
  });
});

describe('request origins', () => {
  const allowed = parseAllowedOrigins('https://shop.example.com,http://localhost:*,http://127.0.0.1:*');
  it.each([
    ['https://shop.example.com', true],
    ['http://localhost:5173', true],
    ['http://localhost:1', true],
    ['http://localhost', true],
    ['http://127.0.0.1:3000', true],
    ['http://shop.example.com', false],
    ['https://shop.example.com:8443', false],
    ['https://evil.shop.example.com', false],
    ['https://shop.example.com.evil.com', false],
    ['https://localhost:5173', false],
    ['http://localhost.evil.com', false],
    ['http://localhost:3000.evil.com', false],
    ['http://localhost:', false],
    ['http://localhost:123456', false],
    ['http://127.0.0.2:3000', false],
    ['null', false],
    ['', false],
    [undefined, false],
  ])('%s allowed: %s', (origin, expected) => {
    expect(isOriginAllowed(allowed, origin)).toBe(expected);
  });

  it('allow none when none are configured', () => {
    expect(isOriginAllowed([], 'http://localhost:3000')).toBe(false);
  });
});

describe('allowed request headers', () => {
  it('are exactly the headers the routes read: the token, JSON bodies, the request id and each header a route contract declares', () => {
    const declared = routeContracts.flatMap((r) => (r.headers ?? []).map((h) => h.name.toLowerCase()));
    const read = new Set(['authorization', 'content-type', 'x-request-id', ...declared]);
    expect(CORS_ALLOWED_HEADERS.map((h) => h.toLowerCase()).sort()).toEqual([...read].sort());
  });
});

describe('the middy stack every HTTP function uses', () => {
  const event = (headers: Record<string, string>) =>
    ({
      resource: '/products',
      path: '/products',
      httpMethod: 'GET',
      headers,
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { authorizer: null, requestId: 'unit-request', path: '/v1/products', stage: 'v1' },
    }) as never;

  /** A handler built the way every function is, with the allowed origins in its environment at cold start. */
  const handlerWith = (origins: string | undefined, answer: () => Promise<APIGatewayProxyResult>) => {
    const before = process.env[CORS_ORIGINS_ENV];
    if (origins === undefined) delete process.env[CORS_ORIGINS_ENV];
    else process.env[CORS_ORIGINS_ENV] = origins;
    try {
      const handler = httpHandler(answer);
      return (headers: Record<string, string>) => handler(event(headers), lambdaContext('cors-unit'));
    } finally {
      if (before === undefined) delete process.env[CORS_ORIGINS_ENV];
      else process.env[CORS_ORIGINS_ENV] = before;
    }
  };
  const ok = () => Promise.resolve(json(200, { ok: true }));
  const notFound = () => Promise.reject(new DomainError('NOT_FOUND', 'Product not found'));
  const crash = () => Promise.reject(new Error('boom'));

  it('echoes an allowed origin on a 2xx with Vary: Origin, the exposed headers and no credentials', async () => {
    const res = await handlerWith('http://localhost:*', ok)({ Origin: 'http://localhost:5173' });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'http://localhost:5173',
      'Access-Control-Expose-Headers': 'x-request-id, Retry-After, Location, x-cache',
      Vary: 'Origin',
      'x-request-id': expect.any(String),
    });
    expect(res.headers).not.toHaveProperty('Access-Control-Allow-Credentials');
  });

  it('echoes it on errors the stack maps too: a domain 404 and an unexpected 500', async () => {
    for (const fail of [notFound, crash]) {
      const res = await handlerWith('https://shop.example.com', fail)({ origin: 'https://shop.example.com' });
      expect([res.statusCode, res.headers?.['Access-Control-Allow-Origin'], res.headers?.Vary]).toEqual([
        fail === notFound ? 404 : 500,
        'https://shop.example.com',
        'Origin',
      ]);
    }
  });

  it('gives another origin no Access-Control-Allow-Origin, and still says the answer varies by Origin', async () => {
    for (const origin of ['https://evil.example', 'http://localhost.evil.com:80', 'null']) {
      const res = await handlerWith('http://localhost:*', ok)({ Origin: origin });
      expect([origin, res.statusCode, res.headers?.['Access-Control-Allow-Origin'], res.headers?.Vary]).toEqual([
        origin,
        200,
        undefined,
        'Origin',
      ]);
    }
  });

  it('allows no other origin when the environment names none', async () => {
    const res = await handlerWith(undefined, ok)({ Origin: 'http://localhost:5173' });
    expect(res.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('fails the cold start on a malformed origin, naming it', () => {
    expect(() => handlerWith('https://shop.example.com/', ok)).toThrow(/shop\.example\.com\/" is not an origin/);
  });
});
