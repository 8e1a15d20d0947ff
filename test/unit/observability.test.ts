/**
 * What the functions write to their logs besides their messages: business metrics as valid EMF, published once per
 * invocation and never as a warning when there are none, and the request's keys (requestId, userId, orderId) on
 * every line, gone again on the next invocation of the same warm container. The shared modules read their
 * environment when they load: it is set first, as Lambda sets it.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import { emfDocuments, emfMetrics } from '../support/emf';

const saved = { ...process.env };
let observability: typeof import('../../functions/shared/observability');
let http: typeof import('../../functions/shared/http');
let saga: typeof import('../../functions/shared/saga');

beforeAll(async () => {
  for (const key of ['POWERTOOLS_DEV', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_LOGGER_LOG_EVENT'])
    delete process.env[key];
  Object.assign(process.env, {
    POWERTOOLS_SERVICE_NAME: 'orders',
    ECICOMM_STAGE: 'unit-stage',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_LAMBDA_FUNCTION_NAME: 'observability-test',
  });
  observability = await import('../../functions/shared/observability');
  http = await import('../../functions/shared/http');
  saga = await import('../../functions/shared/saga');
});

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

/** Everything written to stdout while `run` runs (Powertools' logger and metrics write there, as in Lambda). */
async function stdoutOf(run: () => Promise<unknown>): Promise<string> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => ((out += chunk.toString()), true);
  try {
    await run().catch(() => undefined);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'fn' }) as unknown as Context;

const apiEvent = (requestId: string, userId?: string) =>
  ({
    resource: '/orders',
    path: '/orders',
    httpMethod: 'GET',
    headers: { 'X-Request-Id': requestId },
    queryStringParameters: null,
    pathParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: `apigw-${requestId}`, authorizer: userId ? { claims: { sub: userId } } : null },
  }) as unknown as APIGatewayProxyEvent;

const logLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{') && !l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('business metrics', () => {
  it('are published as valid EMF in the ECIComm namespace, by service and stage, a dimensioned one on its own line', async () => {
    const handler = http.httpHandler(
      async () => {
        observability.businessMetrics.record('ordersPlaced', 1);
        observability.businessMetrics.record('sagaDuration', 1234);
        observability.businessMetrics.record('ordersCancelled', 1, 'PAYMENT_DECLINED');
        return http.json(200, {});
      },
      { audit: false },
    );
    const out = await stdoutOf(() => handler(apiEvent('r-metrics'), context('l-1')));
    const metrics = emfDocuments(out).flatMap(emfMetrics);
    const base = { namespace: 'ECIComm', dimensions: { service: 'orders', stage: 'unit-stage' } };
    expect(metrics).toEqual(
      expect.arrayContaining([
        { ...base, name: 'OrdersPlaced', unit: 'Count', value: 1 },
        { ...base, name: 'SagaDuration', unit: 'Milliseconds', value: 1234 },
        {
          ...base,
          name: 'OrdersCancelled',
          unit: 'Count',
          value: 1,
          dimensions: { ...base.dimensions, failureReason: 'PAYMENT_DECLINED' },
        },
      ]),
    );
    expect(metrics).toHaveLength(3);
  });

  it('are published when the invocation fails too, and only once', async () => {
    const handler = saga.sagaHandler(z.object({ orderId: z.string() }), async () => {
      observability.businessMetrics.record('paymentDeclines', 1);
      throw new Error('declined');
    });
    const first = await stdoutOf(() => handler({ orderId: 'o-1' }, context('l-2')));
    const second = await stdoutOf(() => handler({ orderId: 'o-2' }, context('l-3')));
    expect(
      emfDocuments(first)
        .flatMap(emfMetrics)
        .map((m) => [m.name, m.value]),
    ).toEqual([['PaymentDeclines', 1]]);
    expect(
      emfDocuments(second)
        .flatMap(emfMetrics)
        .map((m) => [m.name, m.value]),
    ).toEqual([['PaymentDeclines', 1]]);
  });

  it('publish nothing, and warn nothing, for an invocation that counts nothing', async () => {
    const handler = http.httpHandler(async () => http.json(200, {}), { audit: false });
    const out = await stdoutOf(() => handler(apiEvent('r-none'), context('l-4')));
    expect(emfDocuments(out)).toEqual([]);
    expect(out).not.toContain('No application metrics');
  });
});

describe('structured log keys', () => {
  it("carry the request's id and the shopper on every line, and never into the next invocation", async () => {
    const handler = http.httpHandler(
      async () => {
        observability.logger.info('handling');
        return http.json(200, {});
      },
      { audit: false },
    );
    const signedIn = logLines(await stdoutOf(() => handler(apiEvent('r-1', 'user-1'), context('l-5'))));
    const anonymous = logLines(await stdoutOf(() => handler(apiEvent('r-2'), context('l-6'))));
    expect(signedIn).toEqual([expect.objectContaining({ message: 'handling', requestId: 'r-1', userId: 'user-1' })]);
    expect(anonymous).toEqual([expect.objectContaining({ message: 'handling', requestId: 'r-2' })]);
    expect(anonymous[0]).not.toHaveProperty('userId');
  });

  it("carry a saga step's order, and never into the next invocation", async () => {
    const handler = saga.sagaHandler(z.object({ orderId: z.optional(z.string()) }), async () => {
      observability.logger.info('step ran');
      return {};
    });
    const withOrder = logLines(await stdoutOf(() => handler({ orderId: 'o-9' }, context('l-7'))));
    const without = logLines(await stdoutOf(() => handler({}, context('l-8'))));
    expect(withOrder).toEqual([expect.objectContaining({ message: 'step ran', orderId: 'o-9' })]);
    expect(without).toEqual([expect.objectContaining({ message: 'step ran', function_request_id: 'l-8' })]);
    expect(without[0]).not.toHaveProperty('orderId');
  });
});
