import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';

type AuthorizerModule = typeof import('../../functions/users/handlers/optional-authorizer');

const REGION = 'eu-west-2';
const USER_POOL_ID = `${REGION}_TestPool1`;
const CLIENT_ID = 'test-client-id';
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
const KID = 'test-key-1';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-2:123456789012:abcdef1234/v1/GET/cart';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A key pair made here and the JWKS that publishes its public half: no network, as in Cognito's JWKS. */
function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

function sign(privateKey: KeyObject, payload: Record<string, unknown>, kid = KID): string {
  const input = `${base64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(createSign('RSA-SHA256').update(input).sign(privateKey))}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** The claims of a Cognito ID token, as the pool issues them to the API client. */
const idTokenClaims = (overrides: Record<string, unknown> = {}) => ({
  sub: 'c0a8e1f2-1111-4222-8333-944455566677',
  email: 'shopper@example.com',
  'cognito:groups': ['admin', 'analyst'],
  email_verified: true,
  iss: ISSUER,
  aud: CLIENT_ID,
  token_use: 'id',
  auth_time: now() - 10,
  iat: now() - 10,
  exp: now() + 3600,
  jti: randomUUID(),
  ...overrides,
});

const event = (headers: Record<string, string> | null): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/cart',
    path: '/v1/cart',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: headers && Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  }) as APIGatewayRequestAuthorizerEvent;

const allowsThisMethod = (result: APIGatewayAuthorizerResult) =>
  expect(result.policyDocument.Statement).toEqual([
    { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN },
  ]);

let authorizer: AuthorizerModule;
let handler: ReturnType<AuthorizerModule['makeHandler']>;
let signingKey: KeyObject;
let otherKey: KeyObject;
/** What the handler logged as the reason of its last rejection. */
let lastReason: unknown;

beforeAll(async () => {
  // The module parses its environment at load, as in Lambda: only the pool's ids.
  vi.stubEnv('USER_POOL_ID', USER_POOL_ID);
  vi.stubEnv('USER_POOL_CLIENT_ID', CLIENT_ID);
  authorizer = await import('../../functions/users/handlers/optional-authorizer');
  vi.unstubAllEnvs();

  const trusted = keyPair(KID);
  signingKey = trusted.privateKey;
  otherKey = keyPair(KID).privateKey;
  // The deployed function's verifier, with the pool's JWKS handed over instead of fetched.
  const verifier = authorizer.cognitoVerifier({ USER_POOL_ID, USER_POOL_CLIENT_ID: CLIENT_ID });
  verifier.cacheJwks({ keys: [trusted.jwk] } as Parameters<typeof verifier.cacheJwks>[0]);
  handler = authorizer.makeHandler(verifier, { info: (_message, { reason }) => void (lastReason = reason) });
});

describe('optional-auth authorizer', () => {
  it('loads with only USER_POOL_ID and USER_POOL_CLIENT_ID and exports a handler', () => {
    expect(typeof authorizer.handler).toBe('function');
  });

  it('lets a request without an Authorization header through anonymously, with an empty context', async () => {
    for (const headers of [null, {}, { 'x-session-id': randomUUID() }] as (Record<string, string> | null)[]) {
      const result = await handler(event(headers));
      expect(result.principalId).toBe('anonymous');
      expect(result.context).toEqual({});
      allowsThisMethod(result);
    }
  });

  it('passes the claims of a valid ID token flat in the context, groups comma-joined', async () => {
    const result = await handler(event({ Authorization: `Bearer ${sign(signingKey, idTokenClaims())}` }));
    expect(result.principalId).toBe('c0a8e1f2-1111-4222-8333-944455566677');
    expect(result.context).toEqual({
      sub: 'c0a8e1f2-1111-4222-8333-944455566677',
      email: 'shopper@example.com',
      'cognito:groups': 'admin,analyst',
    });
    allowsThisMethod(result);
  });

  it('reads the header whatever its case, and gives a user in no group an empty groups claim', async () => {
    const token = sign(signingKey, idTokenClaims({ 'cognito:groups': undefined }));
    const result = await handler(event({ authorization: `bearer ${token}` }));
    expect(result.context).toEqual({
      sub: 'c0a8e1f2-1111-4222-8333-944455566677',
      email: 'shopper@example.com',
      'cognito:groups': '',
    });
  });

  it('produces the context functions/shared/auth.ts reads as the caller', async () => {
    const { callerOf } = await import('../../functions/shared/auth');
    const result = await handler(event({ Authorization: `Bearer ${sign(signingKey, idTokenClaims())}` }));
    // API Gateway adds principalId (and integrationLatency) next to the context it was given.
    const authorizerContext = { ...result.context, principalId: result.principalId, integrationLatency: 12 };
    const caller = callerOf({ requestContext: { authorizer: authorizerContext } } as unknown as Parameters<
      typeof callerOf
    >[0]);
    expect(caller).toEqual({
      userId: 'c0a8e1f2-1111-4222-8333-944455566677',
      email: 'shopper@example.com',
      groups: ['admin', 'analyst'],
    });
    const anonymous = await handler(event(null));
    const context = { ...anonymous.context, principalId: anonymous.principalId, integrationLatency: 3 };
    expect(
      callerOf({ requestContext: { authorizer: context } } as unknown as Parameters<typeof callerOf>[0]),
    ).toBeUndefined();
  });

  // Each case also checks why it was refused, so that none passes for a reason it does not name.
  const rejected: [string, () => Record<string, string>, RegExp][] = [
    [
      'a tampered token (payload changed after signing)',
      () => {
        const [header, , signature] = sign(signingKey, idTokenClaims()).split('.');
        const forged = base64url(JSON.stringify(idTokenClaims({ sub: 'someone-else', 'cognito:groups': ['admin'] })));
        return { Authorization: `Bearer ${header}.${forged}.${signature}` };
      },
      /signature/i,
    ],
    [
      'a token signed by another key with the same kid',
      () => ({ Authorization: `Bearer ${sign(otherKey, idTokenClaims())}` }),
      /signature/i,
    ],
    [
      'an expired token',
      () => ({
        Authorization: `Bearer ${sign(signingKey, idTokenClaims({ iat: now() - 7200, auth_time: now() - 7200, exp: now() - 3600 }))}`,
      }),
      /expired/i,
    ],
    [
      'a token for another client (wrong audience)',
      () => ({ Authorization: `Bearer ${sign(signingKey, idTokenClaims({ aud: 'another-client' }))}` }),
      /audience/i,
    ],
    [
      'a token of another pool (wrong issuer)',
      () => ({
        Authorization: `Bearer ${sign(signingKey, idTokenClaims({ iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_OtherPool` }))}`,
      }),
      /issuer/i,
    ],
    [
      'an access token instead of an ID token',
      () => ({
        Authorization: `Bearer ${sign(signingKey, idTokenClaims({ token_use: 'access', client_id: CLIENT_ID, aud: undefined }))}`,
      }),
      /token use/i,
    ],
    ['a token that is not a JWT', () => ({ Authorization: 'Bearer not-a-jwt' }), /3 parts/],
    ['a header without the Bearer scheme', () => ({ Authorization: sign(signingKey, idTokenClaims()) }), /bearer/i],
    ['an empty header', () => ({ Authorization: '' }), /bearer/i],
  ];

  it.each(rejected)('answers %s with Unauthorized (API Gateway: 401)', async (_case, headers, reason) => {
    lastReason = undefined;
    await expect(handler(event(headers()))).rejects.toThrow(/^Unauthorized$/);
    expect(lastReason).toMatch(reason);
  });
});
