import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, it } from '@jest/globals';
import { writeRuntimeFile } from '../support/runtime-file';
import { expect } from '../support/expect';
import { streamConsumers } from '../../lib/stream-consumers';
import { routes } from '../../lib/routes';
import { orderSaga } from '../../lib/saga';
import { consumersOfStreamEvent } from '../../lib/ops/stream-consumers';
import { localInvoker } from '@ecicomm/local-platform/lambda/local-invoker';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { toItem } from '../../functions/catalog/adapters/dynamo-products';
import { dynamo, platform } from '../support/api';

const dir = path.join(projectRoot, 'events/apigw');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as APIGatewayProxyEvent;
const routeOf = (event: APIGatewayProxyEvent) =>
  routes.find((r) => r.method === event.httpMethod && r.path.replace(/^\/v1/, '') === event.resource);

/** What each fixture should produce against a fresh platform; the default is a 2xx. */
const expectedStatus: Record<string, number> = {
  'register-user.json': 201,
  'register-user-weak-password.json': 400,
  'login-wrong-password.json': 401,
  'get-product-unknown.json': 404,
  'create-product.json': 201,
  'create-product-as-shopper.json': 403,
  'create-product-bad-price.json': 400,
  'update-product-stale-version.json': 409,
  'get-cart-no-owner.json': 400,
  'add-cart-item-too-many.json': 409,
  'apply-promo-unknown.json': 404,
  'place-order.json': 202,
  'place-order-no-idempotency-key.json': 400,
  'get-order-unknown.json': 404,
  'get-recommendations-bad-limit.json': 400,
  'search-products-inverted-price-range.json': 400,
  'request-product-image-upload.json': 201,
  'get-product-image-unknown.json': 404,
  'delete-product-image-unknown.json': 404,
  'list-audit-as-analyst.json': 403,
  'analytics-segment-customers-unknown.json': 404,
};

describe('fixtures in events/apigw', () => {
  beforeAll(async () => {
    Object.assign(process.env, platform().env);
    // Fixtures address the dataset's best seller; the test platform seeds the demo catalog, so add it.
    const now = new Date().toISOString();
    const tables = platform().tableNames;
    await dynamo().send(
      new PutCommand({
        TableName: tables.products,
        Item: toItem({
          id: '85123A',
          sku: '85123A',
          name: 'White Hanging Heart T-Light Holder',
          description: '',
          category: 'lighting',
          brand: 'ECI Home',
          price: 295,
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
      new PutCommand({ TableName: tables.productSkus, Item: { sku: '85123A', productId: '85123A' } }),
    );
    await dynamo().send(
      new PutCommand({ TableName: tables.inventory, Item: { productId: '85123A', available: 10, reserved: 0 } }),
    );
  });

  it('has at least one fixture for every handler', () => {
    const covered = new Set(fixtures.map((f) => routeOf(load(f))?.handler));
    expect(routes.map((r) => r.handler).filter((h) => !covered.has(h))).toEqual([]);
  });

  it.each(fixtures)('%s replays through its handler with the expected result', async (file) => {
    const event = load(file);
    const route = routeOf(event);
    expect(route, `no route for ${event.httpMethod} ${event.resource}`).toBeDefined();
    const result = await localInvoker<APIGatewayProxyEvent, APIGatewayProxyResult>(projectRoot, route!)(event);
    const expected = expectedStatus[file];
    if (expected) expect(result.statusCode, result.body).toBe(expected);
    else expect(result.statusCode, result.body).toBeLessThan(300);
    expect(result.headers?.['x-request-id']).toBe('fixture-request');
    if (result.statusCode >= 400) expect(JSON.parse(result.body).error.code).toEqual(expect.any(String));
  });
});

describe('fixtures in events/sfn', () => {
  const sfnDir = path.join(projectRoot, 'events/sfn');
  const taskFixtures = orderSaga.tasks.flatMap((task) => {
    const taskDir = path.join(sfnDir, task.state);
    let files: string[] = [];
    try {
      files = readdirSync(taskDir).filter((f) => f.endsWith('.json'));
    } catch {
      // No fixtures for this task: the coverage test below says so.
    }
    return files.map((f) => [`${task.state}/${f}`, task] as const);
  });

  beforeAll(() => {
    Object.assign(process.env, platform().env);
  });

  it('has at least one fixture for every saga task', () => {
    const covered = new Set(taskFixtures.map(([, task]) => task.state));
    expect(orderSaga.tasks.map((t) => t.state).filter((s) => !covered.has(s))).toEqual([]);
  });

  it.each(taskFixtures)('%s runs its step to a result or a named saga outcome', async (name, task) => {
    const input = JSON.parse(readFileSync(path.join(sfnDir, name), 'utf8'));
    try {
      const output = await localInvoker(projectRoot, task)(input);
      expect(typeof output).toBe('object');
    } catch (e) {
      // A step may fail as a business outcome the state machine catches by name, never as a crash.
      expect((e as Error).name).toMatch(
        /^(InsufficientStockError|PaymentDeclinedError|PaymentTransientError|ReservationExpiredError|OrderNotPendingError|OrderNotFoundError|TransientError)$/,
      );
    }
  });
});

describe('fixtures in events/dynamodb-stream and events/kinesis', () => {
  const streamFixtures = (['dynamodb-stream', 'kinesis'] as const)
    .flatMap((folder) =>
      readdirSync(path.join(projectRoot, 'events', folder))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => {
          const event = JSON.parse(readFileSync(path.join(projectRoot, 'events', folder, f), 'utf8')) as {
            Records: unknown[];
          };
          return consumersOfStreamEvent(event, folder === 'kinesis' ? 'kinesis' : 'dynamodb').map(
            (consumer) => [`${folder}/${f} → ${consumer.id}`, event, consumer] as const,
          );
        }),
    )
    .flat();

  it('has at least one fixture for every stream consumer', () => {
    const covered = new Set(streamFixtures.map(([, , consumer]) => consumer.id));
    expect(streamConsumers.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  // Through the platform's Lambda Invoke API, as `npm run replay` does: the platform's process owns the warehouse.
  it.each(streamFixtures)(
    '%s loads through its consumer with no failed record, twice',
    async (_name, event, consumer) => {
      const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = platform().env;
      // The platform's per-run credentials: its Lambda API answers only requests signed with them.
      const lambda = new LambdaClient({
        region: platform().region,
        endpoint: platform().lambdaEndpoint,
        credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
      });
      try {
        // Twice: a redelivered batch (a redrive, a replay) loads nothing twice and fails nothing either.
        for (let i = 0; i < 2; i++) {
          const out = await lambda.send(
            new InvokeCommand({ FunctionName: consumer.id, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
          );
          const payload = new TextDecoder().decode(out.Payload);
          expect(out.FunctionError, payload).toBeUndefined();
          expect(JSON.parse(payload)).toEqual({ batchItemFailures: [] });
        }
      } finally {
        lambda.destroy();
      }
    },
  );

  // replay finds a running platform through LOCAL_DATA_DIR/runtime.json, as `npm start` writes it, and invokes
  // there: an analytics route and a consumer both use the warehouse, which only the platform's process may open.
  it.each([
    ['events/kinesis/clickstream-batch.json', { target: 'loadClickstream', output: { batchItemFailures: [] } }],
    ['events/apigw/analytics-insights.json', { target: 'analyticsInsights', statusCode: 200 }],
  ])(
    'npm run replay -- %s invokes its function through the running platform’s Lambda API',
    async (fixture, expected) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'replay-test-'));
      try {
        const info = platform();
        writeRuntimeFile(dataDir);
        const { stdout, stderr } = await promisify(execFile)(
          path.join(projectRoot, 'node_modules/.bin/tsx'),
          ['bin/replay.ts', fixture],
          {
            cwd: projectRoot,
            env: { ...process.env, LOCAL_DATA_DIR: dataDir },
          },
        );
        expect(stderr).toContain(`Using the local platform at ${info.apiUrl}`);
        expect(JSON.parse(stdout)).toMatchObject(expected);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
