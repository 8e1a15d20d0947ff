/**
 * What login sends Cognito, through the handler, the domain and the Cognito adapter, with the Cognito client
 * replaced (what Cognito's threat protection does with it is cloud-only; cognito-local ignores it, and the
 * integration suite signs in through it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AdminInitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CognitoIdentityProvider } from '../../functions/users/adapters/cognito-identity';
import { lambdaContext } from '@ecicomm/local-platform/lambda/context';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const fixture = JSON.parse(
  readFileSync(path.join(projectRoot, 'events/apigw/login-admin.json'), 'utf8'),
) as APIGatewayProxyEvent;
const jwt = (claims: object) => ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');
/** What Cognito's context-data library hands a client: base64 of {payload, signature, version}. */
const fingerprint = Buffer.from(
  JSON.stringify({
    payload: JSON.stringify({
      contextData: { UserAgent: 'replay', DeviceId: 'd-1' },
      username: 'admin@example.com',
      timestamp: '1764000000000',
    }),
    signature: 'c2ln',
    version: 'JS20171115',
  }),
).toString('base64');

let makeHandler: (typeof import('../../functions/users/handlers/login'))['makeHandler'];
beforeAll(async () => {
  // The module builds its live dependencies at load, as in Lambda.
  vi.stubEnv('USER_POOL_ID', 'eu-west-2_pool');
  vi.stubEnv('USER_POOL_CLIENT_ID', 'client-1');
  ({ makeHandler } = await import('../../functions/users/handlers/login'));
  vi.unstubAllEnvs();
});

/** A login function over a Cognito client that records what it is sent and signs everyone in. */
function loginWithRecordingCognito() {
  const sent: unknown[] = [];
  const cognito = {
    send: async (command: unknown) => {
      sent.push(command);
      const token = jwt({ iat: 1, exp: 3601 });
      return { AuthenticationResult: { IdToken: token, AccessToken: token, RefreshToken: 'refresh', ExpiresIn: 3600 } };
    },
  } as unknown as CognitoIdentityProviderClient;
  const handler = makeHandler({ identity: new CognitoIdentityProvider(cognito, 'eu-west-2_pool', 'client-1') });
  const call = (event: APIGatewayProxyEvent) =>
    handler(event as never, lambdaContext('login') as Context) as Promise<APIGatewayProxyResult>;
  return { sent, call };
}

const eventFrom = (sourceIp: string, headers: Record<string, string>): APIGatewayProxyEvent => ({
  ...fixture,
  headers: { ...fixture.headers, Host: 'api.example.com', 'Accept-Language': 'en-GB', ...headers },
  multiValueHeaders: {},
  requestContext: { ...fixture.requestContext, identity: { ...fixture.requestContext.identity, sourceIp } },
});

describe('login', () => {
  it('signs in server-side with the caller’s IP, endpoint, headers and device fingerprint as Cognito context data', async () => {
    const { sent, call } = loginWithRecordingCognito();
    const result = await call(
      eventFrom('203.0.113.9', {
        'X-Cognito-Context-Data': fingerprint,
        Authorization: 'Bearer not-for-cognito',
        Cookie: 'session=1',
      }),
    );
    expect(result.statusCode, result.body).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(AdminInitiateAuthCommand);
    const input = (sent[0] as AdminInitiateAuthCommand).input;
    expect(input).toMatchObject({
      UserPoolId: 'eu-west-2_pool',
      ClientId: 'client-1',
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'admin@example.com', PASSWORD: expect.any(String) },
      ContextData: {
        IpAddress: '203.0.113.9',
        ServerName: 'api.example.com',
        ServerPath: '/v1/auth/login',
        EncodedData: fingerprint,
      },
    });
    const headers = input.ContextData!.HttpHeaders!;
    expect(headers).toEqual(
      expect.arrayContaining([
        { headerName: 'user-agent', headerValue: 'replay' },
        { headerName: 'accept-language', headerValue: 'en-GB' },
      ]),
    );
    // Credentials of other kinds, and the fingerprint itself, are not headers Cognito gets.
    expect(
      headers
        .map((h) => h.headerName)
        .filter((h) => h && ['authorization', 'cookie', 'x-cognito-context-data'].includes(h)),
    ).toEqual([]);
  });

  it('sends the context without a fingerprint when the client collected none', async () => {
    const { sent, call } = loginWithRecordingCognito();
    expect((await call(eventFrom('198.51.100.4', {}))).statusCode).toBe(200);
    const context = (sent[0] as AdminInitiateAuthCommand).input.ContextData!;
    expect(context.IpAddress).toBe('198.51.100.4');
    expect(context).not.toHaveProperty('EncodedData');
  });

  it('answers a malformed fingerprint header with 400 naming it, and asks Cognito nothing', async () => {
    const { sent, call } = loginWithRecordingCognito();
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    for (const value of [
      'has spaces in it',
      'x'.repeat(10_241),
      '../../etc/passwd',
      base64('not json'),
      base64('{"contextData":{}}'),
      'Y'.repeat(4000),
    ]) {
      const result = await call(eventFrom('203.0.113.9', { 'X-Cognito-Context-Data': value }));
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [{ path: 'headers.x-cognito-context-data' }],
      });
    }
    expect(sent).toEqual([]);
  });
});
