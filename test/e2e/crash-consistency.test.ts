/**
 * Crash consistency of the checkout (issue 10): concurrent shoppers check out against `npm start` while the
 * platform is killed with SIGKILL — between every pair of saga steps, by injected faults
 * (LOCAL_FAULT_KILL_AFTER, lib/local/faults), and at random moments — and started again on the same data.
 * Shoppers behave as real clients: a request that got no answer is sent again, with the same
 * Idempotency-Key, until it is answered. Once the last start has settled, every order must be CONFIRMED or
 * CANCELLED, stock conserved (available + reserved + sold as stocked, nothing left reserved, sold = what
 * confirmed orders bought), one order per key, every confirmed order charged its total and every cancelled
 * one refunded to zero, and `npm run payments:reconcile` clean. Reservations keep their default 15 minutes:
 * nothing here may end well by waiting for one to expire.
 *
 * The figures (runs, kills, orders, time to settle, mismatches) are written to test-output/crash-consistency.json.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { orderSaga } from '../../lib/saga';
import { ExitedBeforeReady, PlatformProcesses, type RunningPlatformProcess } from '../support/platform-process';
import { call as callApi, type CallOptions } from '../support/http-client';

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-crash-'));
const platforms = new PlatformProcesses(dataDir, {
  DATASET_DIR: path.join(dataDir, 'no-dataset-here'),
  LOCAL_SWEEP_SECONDS: '1',
  SETTLEMENT_GRACE_SECONDS: '3',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});
afterAll(() => {
  platforms.killEverything();
  // CRASH_KEEP_DATA=1 keeps the data directory for a look at what went wrong.
  if (process.env.CRASH_KEEP_DATA) console.log(`crash suite data kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
});

const ADMIN = { email: 'admin@example.com', password: 'Admin#2026local' };
const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the platform answers now; requests made while it is down fail and are retried by their client. */
let current: RunningPlatformProcess;

const call = (pathname: string, options: CallOptions = {}) =>
  callApi(`${current.apiUrl}/v1`, pathname, { timeoutMs: 30_000, ...options });

async function signIn(email: string, password: string): Promise<string> {
  const res = await call('/auth/login', { method: 'POST', body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.idToken;
}

interface Shopper {
  email: string;
  password: string;
  token: string;
}

interface Intent {
  shopper: Shopper;
  key: string;
  body: { shippingAddress: typeof address; paymentToken: string; items: { productId: string; quantity: number }[] };
  orderId?: string;
}

/**
 * A client's checkout: POST until answered. No answer (the platform died, or is starting) → the same key
 * again; 409 still in progress (a crash left the request's idempotency record behind) → wait and again.
 */
async function checkoutUntilAnswered(intent: Intent, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const res = await call('/orders', {
        method: 'POST',
        token: intent.shopper.token,
        headers: { 'idempotency-key': intent.key },
        body: intent.body,
      });
      if (res.status === 202) {
        intent.orderId = res.body.orderId;
        return;
      }
      if (res.status === 401) intent.shopper.token = await signIn(intent.shopper.email, intent.shopper.password);
      else if (res.status !== 409 && res.status < 500)
        throw new Error(`checkout refused: ${res.status} ${JSON.stringify(res.body)}`);
    } catch (e) {
      if ((e as Error).message.startsWith('checkout refused')) throw e;
    }
    await sleep(250);
  }
  throw new Error(`no answer for key ${intent.key} in time`);
}

const TOKENS = [
  'tok_visa',
  'tok_visa',
  'tok_visa',
  'tok_visa',
  'tok_visa',
  'tok_chargeDeclined',
  'tok_visa',
  'tok_insufficientFunds',
  'tok_processingError',
  'tok_visa',
  'tok_chargeDeclined',
  'tok_visa',
];

function batch(shoppers: Shopper[], products: string[], n: number, seed: number): Intent[] {
  return Array.from({ length: n }, (_, i) => {
    const k = seed + i;
    const first = products[k % products.length];
    const second = products[(k * 7 + 3) % products.length];
    const items = [
      { productId: first, quantity: 1 + (k % 3) },
      ...(k % 2 && second !== first ? [{ productId: second, quantity: 1 }] : []),
    ];
    return {
      shopper: shoppers[k % shoppers.length],
      key: randomUUID(),
      body: { shippingAddress: address, paymentToken: TOKENS[k % TOKENS.length], items },
    };
  });
}

interface Tables {
  db: DynamoDBDocumentClient;
  names: Record<string, string>;
}

function tablesOf(running: RunningPlatformProcess): Tables {
  const env = running.runtime.env;
  const client = new DynamoDBClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  return {
    db: DynamoDBDocumentClient.from(client),
    names: {
      orders: env.ORDERS_TABLE,
      inventory: env.INVENTORY_TABLE,
      payments: env.PAYMENTS_TABLE,
      reservations: env.RESERVATIONS_TABLE,
    },
  };
}

async function orderOf(t: Tables, orderId: string) {
  return (await t.db.send(new GetCommand({ TableName: t.names.orders, Key: { orderId }, ConsistentRead: true }))).Item;
}

/** What holds a product's stock (for the failure message): its reservations, with their orders' status. */
async function holdersOf(t: Tables, productId: string) {
  const { Items = [] } = await t.db.send(new ScanCommand({ TableName: t.names.reservations, ConsistentRead: true }));
  const holding = Items.filter(
    (r) => (r.lines as { productId: string }[]).some((l) => l.productId === productId) && r.status !== 'COMMITTED',
  );
  return Promise.all(
    holding.map(async (r) => ({
      orderId: r.orderId,
      status: r.status,
      lines: r.lines,
      order: (await orderOf(t, String(r.orderId)))?.status,
    })),
  );
}

async function netCharged(t: Tables, orderId: string) {
  const { Items = [] } = await t.db.send(
    new QueryCommand({
      TableName: t.names.payments,
      KeyConditionExpression: 'orderId = :o AND begins_with(entry, :p)',
      ExpressionAttributeValues: { ':o': orderId, ':p': 'LEDGER#' },
      ConsistentRead: true,
    }),
  );
  return Items.reduce((sum, e) => sum + (e.entry === 'LEDGER#CHARGE' ? Number(e.amount) : -Number(e.amount)), 0);
}

async function reconcileCli(): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/reconcile-payments.ts', '--grace-seconds', '0'],
      { cwd: projectRoot, env: { ...process.env, LOCAL_DATA_DIR: dataDir } },
    );
    return { code: 0, stdout };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: `${failed.stdout}\n${failed.stderr}` };
  }
}

const STOCK = 40;

/**
 * What is not yet as it must end: an order not CONFIRMED or CANCELLED, a confirmed order not charged its total
 * or a cancelled one not refunded to zero, a product whose stock does not add up or is still held.
 */
async function problems(t: Tables, intents: Intent[], products: string[]): Promise<string[]> {
  const found: string[] = [];
  const orders = await Promise.all(intents.map(async (i) => (await orderOf(t, i.orderId!))!));
  for (const order of orders) {
    if (order.status !== 'CONFIRMED' && order.status !== 'CANCELLED') found.push(`${order.orderId} is ${order.status}`);
    const net = await netCharged(t, order.orderId);
    const owed = order.status === 'CONFIRMED' ? order.total : 0;
    if (net !== owed) found.push(`${order.orderId} (${order.status}) has ${net} charged, not ${owed}`);
  }
  const confirmedLines = orders
    .filter((o) => o.status === 'CONFIRMED')
    .flatMap((o) => o.items as { productId: string; quantity: number }[]);
  for (const productId of products) {
    const row = (
      await t.db.send(new GetCommand({ TableName: t.names.inventory, Key: { productId }, ConsistentRead: true }))
    ).Item!;
    const sold = confirmedLines.filter((l) => l.productId === productId).reduce((sum, l) => sum + l.quantity, 0);
    const stock = {
      available: Number(row.available),
      reserved: Number(row.reserved ?? 0),
      sold: Number(row.sold ?? 0),
    };
    if (stock.available !== STOCK - sold || stock.reserved !== 0 || stock.sold !== sold) {
      found.push(
        `${productId}: ${JSON.stringify(stock)}, expected sold ${sold} of ${STOCK}; held by ${JSON.stringify(await holdersOf(t, productId))}`,
      );
    }
  }
  return found;
}
const figures = {
  phasesMs: {} as Record<string, number>,
  startsMs: [] as number[],
  runs: 0,
  injectedKills: 0,
  randomKills: 0,
  orders: 0,
  confirmed: 0,
  cancelled: 0,
  settledWithinMs: 0,
  mismatches: -1,
  faultPoints: [] as string[],
};

describe('checkout under kill -9', () => {
  it('ends every order CONFIRMED or CANCELLED, conserves stock, one order per key, and reconciles clean', async () => {
    let phaseStarted = Date.now();
    const phase = (name: string) => {
      figures.phasesMs[name] = Date.now() - phaseStarted;
      phaseStarted = Date.now();
    };
    current = await platforms.start();
    figures.runs += 1;
    figures.startsMs.push(current.startedInMs);
    const admin = await signIn(ADMIN.email, ADMIN.password);
    const products: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call('/products', {
        method: 'POST',
        token: admin,
        body: {
          name: `Crash Test ${i}`,
          description: 'stock for the crash suite',
          category: 'other',
          brand: 'Test',
          price: 700 + 137 * i,
          currency: 'GBP',
          initialStock: STOCK,
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      products.push(res.body.id);
    }
    const shoppers: Shopper[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `crash-${randomUUID().slice(0, 8)}@example.com`;
      const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
      expect(
        (
          await call('/users', {
            method: 'POST',
            body: { email, password, firstName: 'Crash', lastName: `Shopper ${i}` },
          })
        ).status,
      ).toBe(201);
      shoppers.push({ email, password, token: await signIn(email, password) });
    }
    const intents: Intent[] = [];
    const clients: Promise<void>[] = [];
    const launch = (more: Intent[]) => {
      intents.push(...more);
      for (const intent of more) clients.push(checkoutUntilAnswered(intent, Date.now() + 600_000));
    };

    phase('setup');
    // Between every pair of steps: the platform kills itself after the second time a step has done its work.
    // Every third ConfirmOrder fails on purpose, so that the compensations run (and are killed after) too.
    for (const task of orderSaga.tasks) {
      await platforms.stop(current);
      figures.runs += 1;
      try {
        current = await platforms.start({
          LOCAL_FAULT_KILL_AFTER: `${task.state}:2`,
          LOCAL_FAULT_FAIL: 'ConfirmOrder:3',
        });
      } catch (e) {
        // The sagas the last kill cut off resumed as the platform started, and the fault fired among them.
        if (!(e instanceof ExitedBeforeReady && e.how === 'SIGKILL')) throw e;
        figures.injectedKills += 1;
        figures.faultPoints.push(`${task.state} (while resuming)`);
        continue;
      }
      figures.startsMs.push(current.startedInMs);
      launch(batch(shoppers, products, 12, intents.length));
      const how = await Promise.race([current.exited, sleep(60_000).then(() => 'still running')]);
      expect(how, `the fault after ${task.state} never fired:\n${current.output()}`).toBe('SIGKILL');
      figures.injectedKills += 1;
      figures.faultPoints.push(task.state);
    }
    phase('injectedKills');
    // At random moments.
    for (let i = 0; i < 3; i++) {
      current = await platforms.start();
      figures.runs += 1;
      figures.startsMs.push(current.startedInMs);
      launch(batch(shoppers, products, 10, intents.length));
      await sleep(150 + Math.floor(Math.random() * 1500));
      await platforms.kill9(current);
      figures.randomKills += 1;
    }

    phase('randomKills');
    // The last start: clients get their answers, and the platform settles what the crashes left.
    current = await platforms.start();
    figures.runs += 1;
    figures.startsMs.push(current.startedInMs);
    const restarted = Date.now();
    await Promise.all(clients);
    const t = tablesOf(current);
    // Settled: every order ended, its money and its stock squared. Polled until so (or the bound is up), then asserted.
    let left = await problems(t, intents, products);
    while (left.length && Date.now() - restarted < 120_000) {
      await sleep(500);
      left = await problems(t, intents, products);
    }
    figures.settledWithinMs = Date.now() - restarted;
    phase('settle');
    expect(left).toEqual([]);

    const orders = await Promise.all(intents.map(async (i) => (await orderOf(t, i.orderId!))!));
    figures.orders = orders.length;
    figures.confirmed = orders.filter((order) => order.status === 'CONFIRMED').length;
    figures.cancelled = orders.filter((order) => order.status === 'CANCELLED').length;
    // One order per key, and no order the shoppers did not ask for.
    expect(new Set(intents.map((i) => i.orderId)).size).toBe(intents.length);
    for (const shopper of shoppers) {
      const listed = await call('/orders?limit=100', { token: await signIn(shopper.email, shopper.password) });
      expect(listed.body.items.map((o: { orderId: string }) => o.orderId).sort()).toEqual(
        intents
          .filter((i) => i.shopper === shopper)
          .map((i) => i.orderId)
          .sort(),
      );
    }
    const reconciled = await reconcileCli();
    figures.mismatches =
      reconciled.code === 0 ? 0 : reconciled.stdout.split('\n').filter((l) => /^[A-Z_]+ +\S/.test(l)).length;
    expect(reconciled.code, reconciled.stdout).toBe(0);
    expect(reconciled.stdout).toContain('everything reconciles');
    await platforms.stop(current);

    mkdirSync(path.join(projectRoot, 'test-output'), { recursive: true });
    writeFileSync(path.join(projectRoot, 'test-output', 'crash-consistency.json'), JSON.stringify(figures, null, 2));
    console.log(`crash suite: ${JSON.stringify(figures)}`);
  }, 900_000);
});
