/**
 * Issue 13 item 5, through `npm run replay` itself (bin/replay.ts in a child process, finding the test platform
 * through LOCAL_DATA_DIR/runtime.json as it finds `npm start`'s): every saga fixture replays to the outcome its
 * name promises, a compensated checkout is reported as such with a non-zero exit, and replayed fixtures reach
 * the warehouse only with --into-analytics.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { adminSession, api, dynamo, platform } from '../support/api';
import { analyticsCaughtUp, warehouseQuery } from '../support/analytics';
import { sagaGivens } from '../../lib/ops/replay/saga-givens';
import { toItem } from '../../functions/catalog/adapters/dynamo-products';
import { eventually } from '../support/eventually';
import { writeRuntimeFile } from '../support/runtime-file';

/** Each replay is a child process that loads the CLI (seconds each on a busy machine): generous, not a measure. */
const REPLAYS_TIMEOUT = 300_000;

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'replay-test-'));
  writeRuntimeFile(dataDir);
});
/**
 * A replay still running when the file ends (a timed-out test) is killed by its pid before the platform stops:
 * finding no platform, it would start one of its own and outlive the run.
 */
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running)
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Replayed {
  code: number;
  stdout: string;
  stderr: string;
  /** Each target's printed result. */
  results: Record<string, unknown>[];
}

/** `npm run replay -- [args] fixture`, as a user runs it; never rejects, whatever its exit code. */
const replay = (fixture: string, args: string[] = []): Promise<Replayed> =>
  new Promise((resolve) => {
    const child = execFile(
      // One process (node with tsx's loader, not the tsx launcher and its child): its pid is all there is to kill.
      process.execPath,
      ['--import', 'tsx', 'bin/replay.ts', ...args, fixture],
      { cwd: projectRoot, env: { ...process.env, LOCAL_DATA_DIR: dataDir } },
      (error, stdout, stderr) => {
        // Each target's result is printed as one pretty JSON object: split on the closing brace at a line start.
        const results = stdout
          .split(/(?<=^\})\n/m)
          .filter((s) => s.trim())
          .map((s) => JSON.parse(s) as Record<string, unknown>);
        running.delete(child);
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, results });
      },
    );
    running.add(child);
  });

const tables = () => platform().tableNames;
const orderOf = async (orderId: string) =>
  (await dynamo().send(new GetCommand({ TableName: tables().orders, Key: { orderId }, ConsistentRead: true }))).Item;
const stockOf = async (productId: string) =>
  (await dynamo().send(new GetCommand({ TableName: tables().inventory, Key: { productId }, ConsistentRead: true })))
    .Item;

const reservationOf = async (orderId: string) =>
  (await dynamo().send(new GetCommand({ TableName: tables().reservations, Key: { orderId }, ConsistentRead: true })))
    .Item;

const VISA_ORDER = '7d0c9a4e-5b7f-4f3a-9a51-2f3c1e0b9d11';
const DECLINED_ORDER = '7d0c9a4e-5b7f-4f3a-9a51-2f3c1e0b9d12';
const DECLINED_CHECKOUT = '7d0c9a4e-5b7f-4f3a-9a51-2f3c1e0b9d13';
/** What ChargePayment charges for the visa order: the test gateway's id is a hash of the order's charge key. */
const VISA_CHARGE = 'ch_1d70193bf9f7b082f09762d2';

/**
 * What each saga fixture promises, checked on the replay's report and exit code and on what it left stored.
 * Every fixture's world (its order PENDING with two fixture mugs, 10 in stock, and the steps before its own)
 * is created by the replay: lib/ops/replay/saga-givens.ts.
 */
const promises: Record<string, (r: Replayed) => Promise<void>> = {
  'sfn/execution/visa.json': async (r) => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.results[0]).toMatchObject({ status: 'SUCCEEDED', outcome: 'CONFIRMED', order: { status: 'CONFIRMED' } });
    expect(await orderOf(VISA_ORDER)).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CHARGED' } });
  },
  'sfn/execution/declined.json': async (r) => {
    // The state machine SUCCEEDs after compensating; the replay reports the compensation and exits non-zero.
    expect(r.code).toBe(1);
    expect(r.results[0]).toMatchObject({ status: 'SUCCEEDED', outcome: 'COMPENSATED', reason: 'PAYMENT_DECLINED' });
    expect(await orderOf(DECLINED_CHECKOUT)).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' });
  },
  'sfn/ReserveInventory/reserve.json': async (r) => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.results[0]).toMatchObject({ target: 'ReserveInventory', output: { orderId: VISA_ORDER } });
    expect(await stockOf('prd_fx_mug')).toMatchObject({ available: 8 });
    expect(await reservationOf(VISA_ORDER)).toMatchObject({
      status: 'HELD',
      lines: [{ productId: 'prd_fx_mug', quantity: 2 }],
    });
  },
  'sfn/ChargePayment/charge-visa.json': async (r) => {
    expect(r.results[0]).toMatchObject({ target: 'ChargePayment', output: { chargeId: VISA_CHARGE } });
  },
  'sfn/ChargePayment/charge-declined.json': async (r) => {
    // A decline is the named outcome the state machine catches, not a crash.
    expect(r.results[0]).toMatchObject({ target: 'ChargePayment', error: 'PaymentDeclinedError' });
    expect(await orderOf(DECLINED_ORDER)).toMatchObject({ status: 'PENDING' });
  },
  'sfn/ConfirmOrder/confirm.json': async (r) => {
    expect(r.results[0]).toMatchObject({ target: 'ConfirmOrder', output: expect.any(Object) });
    expect(r.results[0]).not.toHaveProperty('error');
    expect(await orderOf(VISA_ORDER)).toMatchObject({ status: 'CONFIRMED', payment: { chargeId: VISA_CHARGE } });
    expect(await stockOf('prd_fx_mug')).toMatchObject({ available: 8 });
    expect(await reservationOf(VISA_ORDER)).toMatchObject({ status: 'COMMITTED' });
  },
  'sfn/RefundPayment/refund.json': async (r) => {
    expect(r.results[0]).toMatchObject({ target: 'RefundPayment', output: expect.any(Object) });
    expect(r.results[0]).not.toHaveProperty('error');
    expect(JSON.stringify(r.results[0].output)).toContain('re_');
  },
  'sfn/ReleaseInventory/release.json': async (r) => {
    expect(r.results[0]).toMatchObject({ target: 'ReleaseInventory', output: expect.any(Object) });
    expect(await stockOf('prd_fx_mug')).toMatchObject({ available: 10 });
    expect(await reservationOf(VISA_ORDER)).not.toMatchObject({ status: 'HELD' });
  },
  'sfn/CancelOrder/cancel-declined.json': async (r) => {
    expect(r.results[0]).toMatchObject({ target: 'CancelOrder', output: expect.any(Object) });
    expect(await orderOf(VISA_ORDER)).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' });
  },
};

const sagaFixtures = readdirSync(path.join(projectRoot, 'events/sfn'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .map((f) => `sfn/${f.split(path.sep).join('/')}`)
  .sort();

describe('saga fixtures replay to what their names promise', () => {
  it('every saga fixture has a promise here and a given the replay creates', () => {
    expect(sagaFixtures.filter((f) => !promises[f])).toEqual([]);
    expect(sagaFixtures.filter((f) => !sagaGivens[f])).toEqual([]);
  });

  it.each(Object.keys(promises))(
    '%s',
    async (fixture) => {
      const replayed = await replay(`events/${fixture}`);
      await promises[fixture](replayed);
      // Twice: the replay re-creates the fixture's world, so it ends the same however often it runs.
      await promises[fixture](await replay(`events/${fixture}`));
    },
    REPLAYS_TIMEOUT,
  );
});

describe('replayed fixtures reach the warehouse only with --into-analytics', () => {
  const run = randomUUID().slice(0, 8);
  const own = (text: string) => text.replaceAll('_fx_', `_fx${run}_`);
  const streamFixtures = ['dynamodb-stream', 'kinesis'].flatMap((folder) =>
    readdirSync(path.join(projectRoot, 'events', folder))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${folder}/${f}`),
  );
  /** The clickstream session of this test's copy of events/apigw/put-events.json. */
  const session = randomUUID();

  beforeAll(async () => {
    // events/apigw/place-order.json orders the dataset's best seller; the test platform seeds the demo catalog.
    const now = new Date().toISOString();
    await dynamo().send(
      new PutCommand({
        TableName: tables().products,
        Item: toItem({
          ...{ id: '85123A', sku: '85123A', name: 'White Hanging Heart T-Light Holder', description: '' },
          ...{ category: 'lighting', brand: 'ECI Home', price: 295, currency: 'GBP', imageUrls: [], attributes: {} },
          ...{ popularity: 1, status: 'ACTIVE', version: 1, createdAt: now, updatedAt: now },
        }),
      }),
    );
    await dynamo().send(
      new PutCommand({ TableName: tables().productSkus, Item: { sku: '85123A', productId: '85123A' } }),
    );
    await dynamo().send(
      new PutCommand({ TableName: tables().inventory, Item: { productId: '85123A', available: 100, reserved: 0 } }),
    );
  });

  /** Writes a copy of a fixture under an `events/` folder of this test's own, as replay reads a copy. */
  const writeCopy = (fixture: string, event: unknown) => {
    const copy = path.join(dataDir, 'events', fixture);
    mkdirSync(path.dirname(copy), { recursive: true });
    writeFileSync(copy, JSON.stringify(event));
    return copy;
  };

  /**
   * A copy of a stream fixture whose ids are this test's alone (another file may have loaded the fixture itself
   * into this platform's warehouse).
   */
  function streamCopy(fixture: string): string {
    const event = JSON.parse(own(readFileSync(path.join(projectRoot, 'events', fixture), 'utf8'))) as {
      Records: { kinesis?: { data: string } }[];
    };
    for (const record of event.Records) {
      if (!record.kinesis) continue;
      const click = JSON.parse(own(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))) as {
        eventId: string;
      };
      click.eventId = `${run}-${click.eventId}`;
      record.kinesis.data = Buffer.from(JSON.stringify(click)).toString('base64');
    }
    return writeCopy(fixture, event);
  }

  /** Copies of the API fixtures that store what analysts see: clicks in a session of this test's, a new order. */
  function apiCopies(): { events: string; order: string; product: string } {
    const read = (name: string) =>
      JSON.parse(readFileSync(path.join(projectRoot, 'events/apigw', name), 'utf8')) as APIGatewayProxyEvent;
    const events = read('put-events.json');
    events.body = events.body!.replaceAll('6f1c2a52-1111-4c3e-9d1e-0a5b2c3d4e5f', session);
    const order = read('place-order.json');
    // The order's id derives from the shopper and the key: a key of its own makes a new order.
    const key = randomUUID();
    order.headers['Idempotency-Key'] = key;
    order.multiValueHeaders['Idempotency-Key'] = [key];
    return {
      events: writeCopy('apigw/put-events.json', events),
      order: writeCopy('apigw/place-order.json', order),
      product: path.join(projectRoot, 'events/apigw/create-product.json'),
    };
  }

  /** Replays every stream fixture, the API fixtures that store figures, and the visa checkout; returns what they made. */
  const replayAll = async (args: string[]) => {
    const copies = streamFixtures.map(streamCopy);
    for (const replayed of await Promise.all(copies.map((copy) => replay(copy, args)))) {
      expect(replayed.code, replayed.stderr).toBe(0);
      // Test data is not a failed record: every consumer takes the whole batch.
      for (const result of replayed.results) expect(result).toMatchObject({ output: { batchItemFailures: [] } });
    }
    const api = apiCopies();
    const [events, order, product] = await Promise.all(
      [api.events, api.order, api.product].map((f) => replay(f, args)),
    );
    expect(events.results[0], events.stderr).toMatchObject({ statusCode: 202 });
    expect(order.results[0], order.stderr).toMatchObject({ statusCode: 202 });
    expect(product.results[0], product.stderr).toMatchObject({ statusCode: 201 });
    const orderId = (order.results[0].body as { orderId: string }).orderId;
    const productId = (product.results[0].body as { id: string }).id;
    const checkout = await replay('events/sfn/execution/visa.json', args);
    expect(checkout.results[0], checkout.stderr).toMatchObject({ outcome: 'CONFIRMED' });
    await eventually(async () => expect(await orderOf(orderId)).toMatchObject({ status: 'CONFIRMED' }));
    await analyticsCaughtUp();
    return { orderId, productId };
  };

  /** What the analysts' figures hold of what the replays made. */
  const inWarehouse = async (made: { orderId: string; productId: string }) => ({
    sales: (
      await warehouseQuery<{ order_id: string }>(
        'SELECT DISTINCT order_id FROM sales_facts WHERE order_id LIKE $1 OR order_id = $2 OR order_id = $3',
        [`ord_fx${run}_%`, VISA_ORDER, made.orderId],
      )
    )
      .map((r) => r.order_id)
      .sort(),
    products: (
      await warehouseQuery<{ product_id: string }>(
        'SELECT DISTINCT product_id FROM dim_products WHERE product_id LIKE $1 OR product_id = $2',
        [`prd_fx${run}_%`, made.productId],
      )
    ).length,
    stock: (
      await warehouseQuery<{ product_id: string }>(
        'SELECT DISTINCT product_id FROM inventory_snapshots WHERE product_id LIKE $1 OR product_id = $2',
        [`prd_fx${run}_%`, made.productId],
      )
    ).length,
    clicks: (
      await warehouseQuery('SELECT event_id FROM user_behavior WHERE session_id LIKE $1 OR session_id = $2', [
        `sess_fx${run}_%`,
        session,
      ])
    ).length,
  });

  it('no client can mark its own data as test data: the request schemas refuse the attribute', async () => {
    const events = await api('/v1/events', {
      method: 'POST',
      body: { events: [{ type: 'page_view', sessionId: randomUUID(), testData: true }] },
    });
    expect(events.status).toBe(400);
    const product = await api('/v1/products', {
      method: 'POST',
      token: await adminSession(),
      body: { name: 'Mug', category: 'kitchen-dining', brand: 'Trail Co', price: 100, currency: 'GBP', testData: true },
    });
    expect(product.status).toBe(400);
  });

  it(
    'without it, none of them: not the stream fixtures’ rows, not the API fixtures’ order, product and clicks, not the checkout’s sale',
    async () => {
      const made = await replayAll([]);
      expect(await inWarehouse(made)).toEqual({ sales: [], products: 0, stock: 0, clicks: 0 });
    },
    REPLAYS_TIMEOUT,
  );

  it(
    'with it, all of them',
    async () => {
      const made = await replayAll(['--into-analytics']);
      expect(await inWarehouse(made)).toEqual({
        sales: [`ord_fx${run}_0001`, `ord_fx${run}_0002`, VISA_ORDER, made.orderId].sort(),
        products: 2,
        stock: 2,
        // The stream fixture's 8 clicks and the API fixture's 2.
        clicks: 10,
      });
    },
    REPLAYS_TIMEOUT,
  );
});
