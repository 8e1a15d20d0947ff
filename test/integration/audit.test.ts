/**
 * The audit trail end to end on the local platform: state-changing requests (a product created and updated, a
 * registration, a sign-in and a failed one, a profile change, an order, rejected requests) each reach
 * GET /v1/audit with the right fields, and the S3 archive under their day's prefix as gzipped JSON lines; no
 * password, token or payment token is anywhere in either; the filters, pages and order of GET /v1/audit; and a
 * redelivered batch recorded once.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { adminSession, api, dynamo, newShopper, platform, signIn, strongPassword, type Shopper } from '../support/api';
import { address, productWithStock } from '../support/checkout';
import { eventually } from '../support/eventually';

interface Entry {
  at: string;
  userId: string;
  groups: string[];
  route: string;
  resourceId?: string;
  requestId: string;
  status: number;
  changes: Record<string, unknown>;
}

const WAIT = { timeout: 30_000, interval: 250 };
let admin: string;
let shopper: Shopper;
/** Every secret this file sends: none may be found in the trail. */
const secrets: string[] = [];
/** The request ids of this file's audited requests, by what they did (and the ids of what they made). */
const sent: Record<string, string> = {};
const REQUESTS = ['updateProduct', 'register', 'login', 'failedLogin', 'profile', 'order', 'forbidden', 'invalid'];

const trail = async (query: string, token = admin) => {
  const res = await api<{ items: Entry[]; nextCursor?: string }>(`/v1/audit?${query}`, { token });
  expect(res.status).toBe(200);
  return res.body;
};

/** Sends a request with a request id of its own, remembered under `name`. */
async function audited(name: string, path: string, options: Parameters<typeof api>[1] = {}) {
  const requestId = `audit-test-${name}-${randomUUID()}`;
  sent[name] = requestId;
  return api(path, { ...options, headers: { ...options.headers, 'x-request-id': requestId } });
}

/** The trail's entry for a request id, once the recorder has it. */
const entryFor = (name: string, query = 'limit=100') =>
  eventually(async () => {
    const found = (await trail(query)).items.find((e) => e.requestId === sent[name]);
    expect(found).toBeDefined();
    return found!;
  }, WAIT);

function s3(): S3Client {
  const { env } = platform();
  return new S3Client({
    region: platform().region,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    forcePathStyle: true,
  });
}

/** Every object of the archive under a day's prefix: its key, raw (gzipped) bytes and the lines they hold. */
async function archiveOf(day: string): Promise<{ key: string; raw: Buffer; lines: string[] }[]> {
  const client = s3();
  const Bucket = platform().env.AUDIT_BUCKET;
  try {
    const out = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket, Prefix: `audit/${day.replaceAll('-', '/')}/`, ContinuationToken }),
      );
      for (const { Key } of page.Contents ?? []) {
        const object = await client.send(new GetObjectCommand({ Bucket, Key }));
        const raw = Buffer.from(await object.Body!.transformToByteArray());
        out.push({ key: Key!, raw, lines: gunzipSync(raw).toString('utf8').split('\n').filter(Boolean) });
      }
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return out;
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  admin = await adminSession();
  shopper = await newShopper();
  secrets.push(shopper.password, shopper.token);

  const productId = await productWithStock(50, 1500, `Audit Lamp ${randomUUID().slice(0, 6)}`);
  const current = await api(`/v1/products/${productId}`);
  sent.productId = productId;
  expect(
    (
      await audited('updateProduct', `/v1/products/${productId}`, {
        method: 'PUT',
        token: admin,
        body: { version: current.body.version, price: 1799 },
      })
    ).status,
  ).toBe(200);

  const email = `audit-${randomUUID()}@example.com`;
  const password = strongPassword();
  secrets.push(password);
  const registered = await audited('register', '/v1/users', {
    method: 'POST',
    body: { email, password, firstName: 'Audrey', lastName: 'Trail' },
  });
  expect(registered.status).toBe(201);
  sent.registeredUserId = registered.body.userId;
  const login = await audited('login', '/v1/auth/login', { method: 'POST', body: { email, password } });
  expect(login.status).toBe(200);
  secrets.push(login.body.idToken, login.body.accessToken, login.body.refreshToken);
  const wrongPassword = `${password}x`;
  secrets.push(wrongPassword);
  expect(
    (await audited('failedLogin', '/v1/auth/login', { method: 'POST', body: { email, password: wrongPassword } }))
      .status,
  ).toBe(401);

  expect(
    (
      await audited('profile', '/v1/users/me', {
        method: 'PATCH',
        token: shopper.token,
        body: { firstName: 'Samira', phoneNumber: '+447700900123' },
      })
    ).status,
  ).toBe(200);

  const paymentToken = `tok_visa_audit${randomUUID().replaceAll('-', '')}`;
  secrets.push(paymentToken, '+447700900123', address.line1);
  const orderRequestId = `audit-test-order-${randomUUID()}`;
  sent.order = orderRequestId;
  const order = await api('/v1/orders', {
    method: 'POST',
    token: shopper.token,
    headers: { 'Idempotency-Key': randomUUID(), 'x-request-id': orderRequestId },
    body: { shippingAddress: address, paymentToken, items: [{ productId, quantity: 1 }] },
  });
  expect(order.status).toBe(202);
  sent.orderId = order.body.orderId;

  // Rejected: a shopper may not create products (403 from the function), and a price must be a number (400).
  expect(
    (await audited('forbidden', '/v1/products', { method: 'POST', token: shopper.token, body: { name: 'x' } })).status,
  ).toBe(403);
  expect(
    (
      await audited('invalid', `/v1/products/${productId}`, {
        method: 'PUT',
        token: admin,
        body: { version: 1, price: 'cheap' },
      })
    ).status,
  ).toBe(400);
}, 120_000);

describe('GET /v1/audit', () => {
  it('holds a product update with who, the route template, the product id, the status and the fields', async () => {
    const entry = await entryFor('updateProduct', `resourceId=${sent.productId}`);
    expect(entry).toEqual({
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      userId: platform().admin.userId,
      groups: expect.arrayContaining(['admin']),
      route: 'PUT /v1/products/{id}',
      resourceId: sent.productId,
      requestId: sent.updateProduct,
      status: 200,
      changes: { version: expect.any(Number), price: 1799 },
    });
  });

  it('holds the product’s creation too, older than its update: newest first', async () => {
    const { items } = await eventually(async () => {
      const page = await trail(`resourceId=${sent.productId}`);
      expect(page.items.map((e) => e.route)).toEqual(
        expect.arrayContaining(['POST /v1/products', 'PUT /v1/products/{id}']),
      );
      return page;
    }, WAIT);
    const routes = items.map((e) => `${e.route} ${e.status}`);
    expect(routes.indexOf('PUT /v1/products/{id} 200')).toBeLessThan(routes.indexOf('POST /v1/products 201'));
    expect(items.map((e) => e.at)).toEqual([...items.map((e) => e.at)].sort().reverse());
    expect(items.find((e) => e.route === 'POST /v1/products')!.changes).toMatchObject({
      price: 1500,
      initialStock: 50,
    });
  });

  it('holds a registration as anonymous, naming the new user, without the password', async () => {
    const entry = await entryFor('register', `resourceId=${sent.registeredUserId}`);
    expect(entry).toMatchObject({
      userId: 'anonymous',
      groups: [],
      route: 'POST /v1/users',
      status: 201,
      resourceId: sent.registeredUserId,
    });
    expect(entry.changes).toMatchObject({ firstName: 'Audrey', password: '[redacted]' });
  });

  it('holds a sign-in under the user it signed in, and a failed one as anonymous with its 401', async () => {
    const ok = await entryFor('login', `userId=${sent.registeredUserId}`);
    expect(ok).toMatchObject({ route: 'POST /v1/auth/login', status: 200, userId: sent.registeredUserId });
    const failed = await entryFor('failedLogin', 'userId=anonymous&limit=100');
    expect(failed).toMatchObject({ route: 'POST /v1/auth/login', status: 401 });
    expect(failed.changes).toEqual({ email: expect.stringMatching(/^audit-.*@example\.com$/), password: '[redacted]' });
  });

  it('holds a profile change under the shopper, personal fields redacted', async () => {
    const entry = await entryFor('profile', `userId=${shopper.userId}`);
    expect(entry).toMatchObject({
      route: 'PATCH /v1/users/me',
      status: 200,
      userId: shopper.userId,
      resourceId: shopper.userId,
    });
    expect(entry.changes).toEqual({ firstName: 'Samira', phoneNumber: '[redacted]' });
  });

  it('holds an order, naming it, with its payment token and address redacted', async () => {
    const entry = await entryFor('order', `resourceId=${sent.orderId}`);
    expect(entry).toMatchObject({
      route: 'POST /v1/orders',
      status: 202,
      userId: shopper.userId,
      resourceId: sent.orderId,
    });
    expect(entry.changes).toEqual({
      shippingAddress: '[redacted]',
      paymentToken: '[redacted]',
      items: [{ productId: sent.productId, quantity: 1 }],
    });
  });

  it('holds rejected requests with their status', async () => {
    expect(await entryFor('forbidden', `userId=${shopper.userId}`)).toMatchObject({
      route: 'POST /v1/products',
      status: 403,
    });
    expect(await entryFor('invalid', `resourceId=${sent.productId}`)).toMatchObject({
      route: 'PUT /v1/products/{id}',
      status: 400,
      changes: { version: 1, price: 'cheap' },
    });
  });

  it('filters by resource and user together, and by time', async () => {
    await entryFor('invalid', `resourceId=${sent.productId}`);
    const adminId = platform().admin.userId;
    const both = await trail(`resourceId=${sent.productId}&userId=${adminId}`);
    expect(both.items.map((e) => e.requestId)).toEqual(expect.arrayContaining([sent.updateProduct, sent.invalid]));
    expect(both.items.every((e) => e.userId === adminId && e.resourceId === sent.productId)).toBe(true);
    // The shopper changed nothing of this product: their order names the order, their refused create no product.
    expect((await trail(`resourceId=${sent.productId}&userId=${shopper.userId}`)).items).toEqual([]);

    const all = (await trail(`resourceId=${sent.productId}`)).items;
    const oldest = all.at(-1)!;
    const newest = all[0];
    const upToOldest = await trail(`resourceId=${sent.productId}&to=${oldest.at}`);
    expect(upToOldest.items.every((e) => e.at <= oldest.at)).toBe(true);
    expect(upToOldest.items.map((e) => e.requestId)).toContain(oldest.requestId);
    const fromNewest = await trail(`resourceId=${sent.productId}&from=${newest.at}`);
    expect(fromNewest.items.every((e) => e.at >= newest.at)).toBe(true);
    const future = await trail(`from=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.items).toEqual([]);
  });

  it('pages through the whole trail newest first, every event once', async () => {
    await entryFor('order', 'limit=100');
    const seen: Entry[] = [];
    let cursor: string | undefined;
    const from = new Date(Date.now() - 3_600_000).toISOString();
    do {
      const page = await trail(`limit=7&from=${from}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const keys = seen.map((e) => `${e.at}|${e.requestId}|${e.route}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(seen.map((e) => e.at)).toEqual([...seen.map((e) => e.at)].sort().reverse());
    for (const name of REQUESTS) expect(seen.map((e) => e.requestId)).toContain(sent[name]);
    // The unfiltered trail has what a filtered one has: the same events, in the same order.
    const ofProduct = (await trail(`resourceId=${sent.productId}&from=${from}`)).items.map((e) => e.requestId);
    expect(seen.map((e) => e.requestId).filter((id) => ofProduct.includes(id))).toEqual(ofProduct);
  });

  it('never reads GET requests into the trail', async () => {
    const requestId = `audit-test-get-${randomUUID()}`;
    await api(`/v1/products/${sent.productId}`, { headers: { 'x-request-id': requestId } });
    await entryFor('order', 'limit=100');
    const scanned = await dynamo().send(
      new ScanCommand({
        TableName: platform().tableNames.audit,
        FilterExpression: 'requestId = :r',
        ExpressionAttributeValues: { ':r': requestId },
      }),
    );
    expect(scanned.Items).toEqual([]);
  });
});

describe('the S3 archive', () => {
  it('holds every audited request under its UTC day as gzipped JSON lines', async () => {
    const update = await entryFor('updateProduct', `resourceId=${sent.productId}`);
    const day = update.at.slice(0, 10);
    const lines = await eventually(async () => {
      const objects = await archiveOf(day);
      for (const { key, raw } of objects) {
        expect(key).toMatch(new RegExp(`^audit/${day.replaceAll('-', '/')}/.+\\.jsonl\\.gz$`));
        expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
      }
      const all = objects.flatMap((o) => o.lines.map((l) => JSON.parse(l) as Entry));
      const mine = all.filter((e) => REQUESTS.some((name) => sent[name] === e.requestId));
      expect(new Set(mine.map((e) => e.requestId)).size).toBe(REQUESTS.length);
      return mine;
    }, WAIT);
    expect(lines.find((e) => e.requestId === sent.updateProduct)).toMatchObject({
      route: 'PUT /v1/products/{id}',
      resourceId: sent.productId,
      status: 200,
      userId: platform().admin.userId,
      changes: { price: 1799 },
    });
  });
});

describe('secrets', () => {
  it('are nowhere in the archive, the audit table or the API’s answers', async () => {
    await entryFor('order', 'limit=100');
    const day = new Date().toISOString().slice(0, 10);
    const archived = (await archiveOf(day)).map((o) => gunzipSync(o.raw).toString('utf8')).join('\n');
    const table = JSON.stringify(
      (await dynamo().send(new ScanCommand({ TableName: platform().tableNames.audit }))).Items,
    );
    const answered = JSON.stringify((await trail('limit=100')).items);
    for (const [where, text] of Object.entries({ archived, table, answered })) {
      expect(text.length).toBeGreaterThan(100);
      for (const secret of secrets) expect({ where, found: text.includes(secret) }).toEqual({ where, found: false });
      // No JWT and no payment token of anyone's request, whatever test sent it.
      expect({ where, jwt: /eyJ[\w-]+\.[\w-]+\./.test(text) }).toEqual({ where, jwt: false });
      expect({ where, paymentToken: /tok_(?!\[redacted\])\w/.test(text) }).toEqual({ where, paymentToken: false });
    }
  });
});

/** Invokes the recorder as its event source mapping would, through the platform's Lambda Invoke API. */
async function invokeRecorder(records: unknown[]): Promise<{ FunctionError?: string; payload: string }> {
  const { env } = platform();
  const lambda = new LambdaClient({
    region: platform().region,
    endpoint: platform().lambdaEndpoint,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  try {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'recordAudit',
        Payload: new TextEncoder().encode(JSON.stringify({ Records: records })),
      }),
    );
    return { FunctionError: out.FunctionError, payload: new TextDecoder().decode(out.Payload) };
  } finally {
    lambda.destroy();
  }
}

const streamRecord = (event: Record<string, unknown>, sequenceNumber = '1') => ({
  eventSource: 'aws:kinesis',
  eventSourceARN: 'arn:aws:kinesis:eu-west-2:000000000000:stream/ecicomm-audit',
  eventID: `shardId-000000000000:${sequenceNumber}`,
  kinesis: {
    data: Buffer.from(`${JSON.stringify(event)}\n`).toString('base64'),
    sequenceNumber,
    partitionKey: String(event.eventId),
    approximateArrivalTimestamp: Date.now() / 1000,
  },
});

const auditEventOn = (resourceId: string, changes: Record<string, unknown>) => ({
  eventId: randomUUID(),
  at: new Date().toISOString(),
  userId: 'recorder-test',
  groups: [],
  route: 'PUT /v1/products/{id}',
  resourceId,
  requestId: `recorder-${randomUUID()}`,
  status: 400,
  changes,
});

describe('the recorder', () => {
  it('records a batch delivered twice once', async () => {
    const resourceId = `audit-redelivery-${randomUUID().slice(0, 8)}`;
    const event = auditEventOn(resourceId, { price: 1 });
    for (let i = 0; i < 2; i++) {
      const out = await invokeRecorder([streamRecord(event), streamRecord(event)]);
      expect(out.FunctionError, out.payload).toBeUndefined();
      expect(JSON.parse(out.payload)).toEqual({ batchItemFailures: [] });
    }
    const { items } = await trail(`resourceId=${resourceId}`);
    expect(items.map((e) => e.requestId)).toEqual([event.requestId]);
  });

  it('records whatever fields a client sent, even those a DynamoDB map could not hold', async () => {
    const resourceId = `audit-odd-fields-${randomUUID().slice(0, 8)}`;
    const changes = { '': 'no name', tiny: 1e-200, huge: 1e300 };
    const event = auditEventOn(resourceId, changes);
    const out = await invokeRecorder([streamRecord(event)]);
    expect(out.FunctionError, out.payload).toBeUndefined();
    const { items } = await trail(`resourceId=${resourceId}`);
    expect(items.map((e) => e.changes)).toEqual([changes]);
  });
});

describe('who may read it', () => {
  it('answers admins only: analysts and shoppers 403, anonymous 401', async () => {
    // An analyst: a shopper an operator put in the analyst group, signing in again to carry the claim.
    const analyst = await newShopper();
    const cognito = new CognitoIdentityProviderClient({
      region: platform().region,
      endpoint: platform().cognitoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: platform().userPoolId,
          Username: analyst.email,
          GroupName: 'analyst',
        }),
      );
    } finally {
      cognito.destroy();
    }
    const analystToken = await signIn(analyst.email, analyst.password);
    expect((await api('/v1/audit', { token: admin })).status).toBe(200);
    for (const [who, token, status] of [
      ['analyst', analystToken, 403],
      ['shopper', shopper.token, 403],
      ['anonymous', undefined, 401],
    ] as const) {
      const res = await api('/v1/audit', { token });
      expect({ who, status: res.status }).toEqual({ who, status });
    }
  });

  it('keeps to the time window when a cursor is replayed with an earlier `to`', async () => {
    const { nextCursor } = await trail('limit=1');
    expect(nextCursor).toBeDefined();
    expect((await trail(`limit=5&to=2000-01-01&cursor=${nextCursor}`)).items).toEqual([]);
    const to = new Date(Date.now() - 86_400_000 * 30).toISOString();
    const items = (await trail(`limit=5&to=${to}&cursor=${nextCursor}`)).items;
    expect(items.every((e) => e.at <= to)).toBe(true);
  });

  it('refuses bad filters, limits and cursors with 400 in the contract’s shape', async () => {
    const cursorOfAnotherQuery = (await trail(`resourceId=${sent.productId}&limit=1`)).nextCursor!;
    expect(cursorOfAnotherQuery).toBeDefined();
    for (const query of [
      'limit=0',
      'limit=101',
      'from=yesterday',
      'to=2026-13-40',
      'from=2026-12-07&to=2026-12-01',
      'resourceId=../../etc',
      'userId=a%20b',
      'colour=red',
      'cursor=!!',
      `cursor=${Buffer.from('{"atId":"x","scope":"r:|u:"}').toString('base64url')}`,
      `cursor=${cursorOfAnotherQuery}`,
    ]) {
      const res = await api(`/v1/audit?${query}`, { token: admin });
      expect({ query, status: res.status, code: res.body?.error?.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
  });
});
