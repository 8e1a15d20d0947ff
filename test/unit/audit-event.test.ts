/**
 * The audit trail's capture (functions/shared/audit-event.ts, audit.ts): which requests make an event, what it
 * holds, that secrets never enter it, and that writing it never fails nor holds up the request.
 */
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import type { AuditEvent } from '../../functions/shared/audit-event';
import { buildAuditEvent, MAX_CHANGES_BYTES, MAX_ID_LENGTH, redactedChanges } from '../../functions/shared/audit-event';
import type { AuditPublisher } from '../../functions/shared/audit';
import { invalid } from '../../functions/shared/errors';
import { httpHandler, json, type ApiEvent } from '../../functions/shared/http';
import '../../functions/shared/schemas';

const context = { awsRequestId: 'aws-request-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const at = new Date('2026-12-07T10:00:00.000Z');

// Shaped like the proxy events the handlers get; `never` is what middy's handler type takes them as.
type HandlerEvent = never;
const apiEvent = (overrides: Partial<ApiEvent> & { body?: unknown } = {}): HandlerEvent =>
  ({
    httpMethod: 'PUT',
    resource: '/products/{id}',
    path: '/products/p-1',
    pathParameters: { id: 'p-1' },
    headers: { 'content-type': 'application/json', 'X-Request-Id': 'req-1' },
    requestContext: { authorizer: { claims: { sub: 'admin-sub', 'cognito:groups': 'admin' } } },
    queryStringParameters: null,
    isBase64Encoded: false,
    ...overrides,
  }) as unknown as HandlerEvent;

/** Collects what the stack publishes: the port's own in-memory implementation. */
function collector(behaviour: 'ok' | 'fail' | 'hang' = 'ok') {
  const published: AuditEvent[] = [];
  const publisher: AuditPublisher = {
    publish: (event, signal) => {
      if (behaviour === 'fail') return Promise.reject(new Error('stream unavailable'));
      if (behaviour === 'hang')
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      published.push(event);
      return Promise.resolve();
    },
  };
  return { published, publisher };
}

describe('building an audit event', () => {
  it('names who, the route template, the path id, the request id, the status and the fields sent', () => {
    const event = buildAuditEvent({
      eventId: 'e-1',
      at,
      method: 'put',
      resource: '/products/{id}',
      pathParameters: { id: 'p-1' },
      caller: { userId: 'admin-sub', groups: ['admin'] },
      requestId: 'req-1',
      body: { price: 1299, name: 'Lamp' },
      response: { statusCode: 200, body: JSON.stringify({ id: 'p-1', price: 1299 }) },
    });
    expect(event).toEqual({
      eventId: 'e-1',
      at: '2026-12-07T10:00:00.000Z',
      userId: 'admin-sub',
      groups: ['admin'],
      route: 'PUT /v1/products/{id}',
      resourceId: 'p-1',
      requestId: 'req-1',
      status: 200,
      changes: { price: 1299, name: 'Lamp' },
    });
  });

  it('takes a created resource id from a successful answer, and none from a rejected one', () => {
    const base = {
      eventId: 'e',
      at,
      method: 'POST',
      resource: '/v1/orders',
      pathParameters: null,
      caller: { userId: 'u', groups: [] },
      requestId: 'r',
      body: {},
    };
    expect(buildAuditEvent({ ...base, response: { statusCode: 202, body: '{"orderId":"o-9"}' } }).resourceId).toBe(
      'o-9',
    );
    expect(buildAuditEvent({ ...base, response: { statusCode: 409, body: '{"orderId":"o-9"}' } })).not.toHaveProperty(
      'resourceId',
    );
    expect(buildAuditEvent({ ...base, response: { statusCode: 202, body: 'not json' } })).not.toHaveProperty(
      'resourceId',
    );
  });

  it('records a sign-in under the user its ID token names, and never the tokens', () => {
    const idToken = `h.${Buffer.from(JSON.stringify({ sub: 'user-7', 'cognito:groups': ['analyst'] })).toString('base64url')}.sig`;
    const event = buildAuditEvent({
      eventId: 'e',
      at,
      method: 'POST',
      resource: '/auth/login',
      pathParameters: null,
      caller: undefined,
      requestId: 'r',
      body: { email: 'a@example.com', password: 'Secret#123' },
      response: { statusCode: 200, body: JSON.stringify({ idToken, accessToken: 'acc', refreshToken: 'ref' }) },
    });
    expect(event).toMatchObject({ userId: 'user-7', groups: ['analyst'], route: 'POST /v1/auth/login' });
    expect(event.changes).toEqual({ email: 'a@example.com', password: '[redacted]' });
    expect(JSON.stringify(event)).not.toMatch(/Secret#123|acc"|ref"|h\./);
  });

  it('records a failed sign-in as anonymous, with the email tried', () => {
    const event = buildAuditEvent({
      eventId: 'e',
      at,
      method: 'POST',
      resource: '/auth/login',
      pathParameters: null,
      caller: undefined,
      requestId: 'r',
      body: { email: 'a@example.com', password: 'Wrong#123' },
      response: { statusCode: 401, body: '{"error":{"code":"UNAUTHORIZED","message":"x"}}' },
    });
    expect(event).toMatchObject({ userId: 'anonymous', groups: [], status: 401, changes: { email: 'a@example.com' } });
    expect(JSON.stringify(event)).not.toContain('Wrong#123');
  });
});

describe('a hostile request', () => {
  it('is audited with its path id and request id cut to what the recorder and the audit table accept', () => {
    const event = buildAuditEvent({
      eventId: 'e',
      at,
      method: 'PUT',
      resource: '/cart/items/{productId}',
      pathParameters: { productId: 'p'.repeat(5000) },
      caller: undefined,
      requestId: 'r'.repeat(5000),
      body: undefined,
      response: { statusCode: 400 },
    });
    expect([event.resourceId?.length, event.requestId.length]).toEqual([MAX_ID_LENGTH, MAX_ID_LENGTH]);
  });
});

describe('redacting the fields sent', () => {
  it('redacts passwords, tokens, payment tokens and personal data at any depth, and secrets quoted in text', () => {
    const changes = redactedChanges({
      password: 'P@ssw0rd!',
      paymentToken: 'tok_visa_4242',
      nested: { refreshToken: 'r-1', Authorization: 'Bearer x', keep: 3 },
      shippingAddress: { line1: '1 High St' },
      phoneNumber: '+441234567890',
      note: 'card tok_live_abc and "password":"hunter2"',
      items: [{ productId: 'p', quantity: 2 }],
    });
    expect(changes).toEqual({
      password: '[redacted]',
      paymentToken: '[redacted]',
      nested: { refreshToken: '[redacted]', Authorization: '[redacted]', keep: 3 },
      shippingAddress: '[redacted]',
      phoneNumber: '[redacted]',
      note: 'card tok_[redacted] and "password":"[redacted]"',
      items: [{ productId: 'p', quantity: 2 }],
    });
  });

  it('keeps only the field names of a body too large to record', () => {
    const changes = redactedChanges({ description: 'x'.repeat(MAX_CHANGES_BYTES), name: 'n', password: 'p' });
    expect(changes).toEqual({ truncated: true, fields: ['description', 'name', 'password'] });
  });

  it('keeps only the field names of a body nested too deep, however deep', () => {
    const deep = JSON.parse(`{"a":${'{"b":'.repeat(100_000)}1${'}'.repeat(100_000)},"c":2}`);
    expect(redactedChanges(deep)).toEqual({ truncated: true, fields: ['a', 'c'] });
    expect(redactedChanges({ a: { b: { c: 1 } } })).toEqual({ a: { b: { c: 1 } } });
  });

  it('records no fields for a body that is not a JSON object', () => {
    expect([undefined, null, '{not json', [1, 2], 7].map(redactedChanges)).toEqual([{}, {}, {}, {}, {}]);
  });
});

describe('the HTTP stack', () => {
  const answer =
    (status = 200) =>
    async (event: ApiEvent) =>
      status >= 400 ? Promise.reject(invalid('Bad price')) : json(status, { id: 'p-1', ...(event.body as object) });

  it('publishes one event per state-changing request, after the answer is final', async () => {
    const { published, publisher } = collector();
    const handler = httpHandler(answer(), { body: true, audit: { publisher, now: () => at } });
    const res = await handler(apiEvent({ body: JSON.stringify({ price: 5 }) }), context);
    expect(res.statusCode).toBe(200);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      route: 'PUT /v1/products/{id}',
      resourceId: 'p-1',
      requestId: 'req-1',
      userId: 'admin-sub',
      groups: ['admin'],
      status: 200,
      changes: { price: 5 },
    });
  });

  it('audits a rejected request with the status the error mapping gave it', async () => {
    const { published, publisher } = collector();
    const handler = httpHandler(answer(400), { body: true, audit: { publisher } });
    const res = await handler(apiEvent({ body: JSON.stringify({ price: -1, password: 'P@ss1234' }) }), context);
    expect(res.statusCode).toBe(400);
    expect(published.map((e) => [e.status, e.changes])).toEqual([[400, { price: -1, password: '[redacted]' }]]);
  });

  it('audits a body that never parsed, without its content', async () => {
    const { published, publisher } = collector();
    const handler = httpHandler(answer(), { body: true, audit: { publisher } });
    const res = await handler(apiEvent({ body: '{"password":"P@ss' }), context);
    expect(res.statusCode).toBe(400);
    expect(published.map((e) => [e.status, e.changes])).toEqual([[400, {}]]);
  });

  it('publishes nothing for a GET, nor for a route that opts out', async () => {
    const { published, publisher } = collector();
    await httpHandler(answer(), { audit: { publisher } })(apiEvent({ httpMethod: 'GET', body: null }), context);
    await httpHandler(answer(), { body: true, audit: false })(apiEvent({ body: '{}' }), context);
    expect(published).toEqual([]);
  });

  it('answers the request when the audit write fails or does not answer in time', async () => {
    for (const behaviour of ['fail', 'hang'] as const) {
      const { publisher } = collector(behaviour);
      const handler = httpHandler(answer(), { body: true, audit: { publisher, timeoutMs: 50 } });
      const res = await handler(apiEvent({ body: '{"price":1}' }), context);
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ id: 'p-1', price: 1 });
    }
  });
});
