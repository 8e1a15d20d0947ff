/**
 * What the HTTP functions send to X-Ray. In Lambda, Powertools' tracer hands segments to the X-Ray SDK, which
 * streams them over UDP to the daemon at AWS_XRAY_DAEMON_ADDRESS; here a UDP socket of the test is that daemon,
 * and the handler modules run in this worker with the environment Lambda gives a traced function (tracing is
 * on only when AWS_EXECUTION_ENV says Lambda, and the SDK takes each invocation's trace id from
 * _X_AMZN_TRACE_ID, which Lambda sets per invocation and the test sets likewise). The handlers talk to the
 * integration platform's emulators.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { toItem } from '../../functions/catalog/adapters/dynamo-products';
import { localInvoker } from '@ecicomm/local-platform/lambda/local-invoker';
import { routes } from '../../lib/routes';
import { dynamo, platform, strongPassword } from '../support/api';

/**
 * Not lib/local/platform's projectRoot: importing the platform loads the shared tracer before the environment
 * below turns tracing on, and the tracer reads its environment once, when it is built.
 */
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Everything the X-Ray "daemon" received, one UDP datagram per segment or subsegment. */
const datagrams: string[] = [];
let daemon: Socket;
const savedEnv = { ...process.env };

/** The handler subsegment captureLambdaHandler opens for every invocation: `## <_HANDLER>`. */
const HANDLER_NAME = 'index.handler';
const handlerSubsegments = () => datagrams.filter((d) => d.includes(`"name":"## ${HANDLER_NAME}"`));

/** Lambda's trace header for one invocation: a new trace, sampled. */
const traceHeader = () =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;

let invocations = 0;
async function invoke(
  routeId: string,
  event: Partial<APIGatewayProxyEvent> & { body?: string | null },
): Promise<APIGatewayProxyResult> {
  const route = routes.find((r) => r.id === routeId)!;
  const resource = route.path.replace(/^\/v1/, '');
  const path = event.pathParameters
    ? Object.entries(event.pathParameters).reduce((p, [k, v]) => p.replace(`{${k}}`, v ?? ''), resource)
    : resource;
  process.env._X_AMZN_TRACE_ID = traceHeader();
  invocations++;
  return localInvoker<APIGatewayProxyEvent, APIGatewayProxyResult>(
    projectRoot,
    route,
  )({
    resource,
    path,
    httpMethod: route.method,
    headers: { 'content-type': 'application/json', ...event.headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: event.pathParameters ?? null,
    stageVariables: null,
    isBase64Encoded: false,
    body: event.body ?? null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'traces',
      stage: 'v1',
      httpMethod: route.method,
      path: route.path,
      resourcePath: resource,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: route.id,
      identity: { sourceIp: '203.0.113.7', userAgent: 'traces-test' } as never,
      authorizer: event.requestContext?.authorizer ?? null,
    },
  });
}

const claimsOf = (idToken: string) => {
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return { claims: { sub: String(claims.sub), email: String(claims.email), 'cognito:groups': '' } };
};

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (m) => datagrams.push(m.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  Object.assign(process.env, platform().env, {
    // What Lambda sets for a function with active tracing.
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: projectRoot,
    _HANDLER: HANDLER_NAME,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    POWERTOOLS_SERVICE_NAME: 'traces-test',
    // The local platform turns tracing off for its handlers; a deployed function has it on.
    POWERTOOLS_TRACE_ENABLED: 'true',
  });
  // What the code does by itself, whatever a function's environment says about capturing.
  delete process.env.POWERTOOLS_TRACER_CAPTURE_RESPONSE;
  delete process.env.POWERTOOLS_TRACER_CAPTURE_ERROR;
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await new Promise<void>((resolve) => daemon.close(() => resolve()));
});

describe('X-Ray traces of the HTTP functions', () => {
  it('never carry tokens, passwords, payment tokens, phone numbers or addresses, though every invocation and SDK call is traced', async () => {
    const email = `traced-${randomUUID()}@example.com`;
    const password = strongPassword();
    const phoneNumber = `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const homeAddress = `${Math.floor(Math.random() * 900) + 100} Secretwood Lane ${randomUUID().slice(0, 8)}`;
    const address = {
      name: 'Trace Shopper',
      line1: `Flat ${randomUUID().slice(0, 6)}, Hidden Mews`,
      line2: `Quiet Yard ${randomUUID().slice(0, 6)}`,
      city: 'Tracetown',
      postalCode: 'TR1 1AA',
      country: 'GB',
    };
    const declinedToken = `tok_trace${randomBytes(8).toString('hex')}`;

    const registered = await invoke('registerUser', {
      body: JSON.stringify({ email, password, firstName: 'Trace', lastName: 'Shopper' }),
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const login = await invoke('login', { body: JSON.stringify({ email, password }) });
    expect(login.statusCode, login.body).toBe(200);
    const tokens = JSON.parse(login.body) as { idToken: string; accessToken: string; refreshToken: string };
    // A wrong password and a body that is not JSON but carries the password: errors are traced too.
    expect((await invoke('login', { body: JSON.stringify({ email, password: `${password}x` }) })).statusCode).toBe(401);
    expect((await invoke('login', { body: `{"email":"${email}","password":"${password}"` })).statusCode).toBe(400);

    const caller = { requestContext: { authorizer: claimsOf(tokens.idToken) } as never };
    const updated = await invoke('updateMyProfile', {
      ...caller,
      body: JSON.stringify({ phoneNumber, preferences: { deliverTo: homeAddress } }),
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await invoke('getMyProfile', caller)).statusCode).toBe(200);

    const productId = `TRACE${randomBytes(4).toString('hex').toUpperCase()}`;
    const now = new Date().toISOString();
    const tables = platform().tableNames;
    await dynamo().send(
      new PutCommand({
        TableName: tables.products,
        Item: toItem({
          id: productId,
          sku: productId,
          name: 'Traced Lamp',
          description: '',
          category: 'lighting',
          brand: 'ECI Home',
          price: 1500,
          currency: 'GBP',
          imageUrls: [],
          attributes: {},
          popularity: 1,
          status: 'ACTIVE',
          version: 1,
          createdAt: now,
          updatedAt: now,
        }),
      }),
    );
    await dynamo().send(
      new PutCommand({ TableName: tables.inventory, Item: { productId, available: 10, reserved: 0 } }),
    );
    const orderIds: string[] = [];
    for (const paymentToken of ['tok_visa', declinedToken]) {
      const placed = await invoke('placeOrder', {
        ...caller,
        headers: { 'idempotency-key': randomUUID() },
        body: JSON.stringify({ shippingAddress: address, paymentToken, items: [{ productId, quantity: 1 }] }),
      });
      expect(placed.statusCode, placed.body).toBe(202);
      orderIds.push((JSON.parse(placed.body) as { orderId: string }).orderId);
    }
    for (const orderId of orderIds) {
      const order = await invoke('getOrder', { ...caller, pathParameters: { orderId } });
      expect(order.statusCode, order.body).toBe(200);
      // The response itself has the address: the trace must not copy it.
      expect(order.body).toContain(address.line1);
    }

    // Segments do arrive: one handler subsegment per invocation (so the check below cannot pass on an empty trace).
    for (let i = 0; i < 200 && handlerSubsegments().length < invocations; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(handlerSubsegments()).toHaveLength(invocations);

    const secrets = {
      password,
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      paymentToken: 'tok_visa',
      declinedPaymentToken: declinedToken,
      phoneNumber,
      homeAddress,
      line1: address.line1,
      line2: address.line2,
    };
    const leaks = Object.entries(secrets)
      .filter(([, secret]) => datagrams.some((d) => d.includes(secret)))
      .map(([name]) => name);
    expect(leaks).toEqual([]);

    // One trace follows the order: its route and id annotate the handler's segment, and the SDK calls it made (the
    // orders table, the saga's start) are subsegments of it.
    const placeOrderTrace = datagrams.filter((d) => d.includes(`"orderId":"${orderIds[0]}"`));
    expect(placeOrderTrace.some((d) => d.includes('"route":"POST /orders"'))).toBe(true);
    expect(datagrams.some((d) => d.includes('"name":"DynamoDB"') && d.includes('"namespace":"aws"'))).toBe(true);
    expect(datagrams.some((d) => d.includes('"operation":"StartExecution"'))).toBe(true);
  });
});
