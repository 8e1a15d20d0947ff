import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { logger } from '../../functions/shared/observability';

/**
 * What the functions' logger printed during a test, as text without whitespace. Powertools writes to the process's
 * streams, or (POWERTOOLS_DEV, which the local platform sets) to the global console, indented.
 */
let printed: string[];
beforeEach(() => {
  printed = [];
  const capture = (...chunks: unknown[]) => (printed.push(chunks.map(String).join(' ')), true);
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const method of ['debug', 'info', 'log', 'warn', 'error'] as const)
    jest.spyOn(console, method).mockImplementation(capture);
  logger.setLogLevel('DEBUG');
});
const text = () => printed.join('').replace(/\s+/g, '');
afterEach(() => {
  jest.restoreAllMocks();
});

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const refreshJwe = 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn';

describe('the functions’ logger', () => {
  it('drops secret and personal fields wherever they are, and keeps the rest', () => {
    logger.info('order state', {
      orderId: 'order-1',
      state: { paymentToken: 'tok_visa', lines: [{ productId: 'p1', quantity: 2 }] },
      profile: { phoneNumber: '+447700900123', preferences: { deliverTo: '9 Hidden Mews' } },
      headers: { Authorization: `Bearer ${jwt}`, 'X-Cognito-Context-Data': 'fingerprint-data' },
      tokens: { idToken: jwt, accessToken: jwt, refreshToken: refreshJwe },
      shippingAddress: { M: { line1: { S: '9 Hidden Mews' } } },
    });
    for (const secret of ['tok_visa', '+447700900123', '9 Hidden Mews', jwt, refreshJwe, 'fingerprint-data'])
      expect(text()).not.toContain(secret.replace(/\s+/g, ''));
    expect(text()).toContain('order-1');
    expect(text()).toContain('"quantity":2');
  });

  it('redacts an event body field by field, and a body that is not JSON whole', () => {
    logger.info('Lambda invocation event', {
      event: { body: JSON.stringify({ email: 'a@example.com', password: 'Sup3r!secret' }), path: '/auth/login' },
      other: { body: '{"email":"a@example.com","password":"Sup3r!secret"' },
    });
    expect(text()).not.toContain('Sup3r!secret');
    expect(text()).toContain('a@example.com');
    expect(text()).toContain('/auth/login');
  });

  it("drops a partner's API key from the header and from the event's identity, keeping the key's id", () => {
    const key = 'qSs64QVoMRlqxeixTMCCgmHHI64l9tr6jy5qN5KF';
    logger.info('Lambda invocation event', {
      event: {
        headers: { 'X-Api-Key': key },
        multiValueHeaders: { 'x-api-key': [key] },
        requestContext: { identity: { apiKey: key, apiKeyId: 'a1b2c3d4e5' } },
      },
    });
    expect(text()).not.toContain(key);
    expect(text()).toContain('a1b2c3d4e5');
  });

  it('scrubs secrets an error quotes: its message, its cause, its own fields', () => {
    const parseError = Object.assign(new Error('Invalid or malformed JSON was provided'), {
      statusCode: 422,
      cause: {
        package: '@middy/http-json-body-parser',
        data: '{"email":"a@example.com","password":"Sup3r!secret"',
        message: `Unexpected token in "{"password":"Sup3r!secret"" is not valid JSON`,
      },
    });
    const sdkError = Object.assign(new Error(`Token ${jwt} was rejected for charge with tok_chargeDeclined`), {
      name: 'ConditionalCheckFailedException',
      Item: { orderId: 'order-2', shippingAddress: { line1: '9 Hidden Mews' } },
    });
    logger.error('unhandled error', { error: parseError });
    logger.error('unhandled error', { error: sdkError });
    for (const secret of ['Sup3r!secret', jwt, 'tok_chargeDeclined', '9 Hidden Mews'])
      expect(text()).not.toContain(secret.replace(/\s+/g, ''));
    expect(text()).toContain('order-2');
    expect(text()).toContain('ConditionalCheckFailedException');
  });
});
