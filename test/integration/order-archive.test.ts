/**
 * The archive of old orders against the platform's DynamoDB Local and S3 emulator: old terminal orders move to
 * the archive bucket (gzipped JSON, manifest, Glacier IR), get one archive index item each and are deleted from
 * the orders table; young and PENDING ones stay; the read routes still find an archived order for its owner
 * (`archived: true`, newest first among the live ones, the cursor right across both), and no one else; the
 * warehouse keeps its figures; a run killed with SIGKILL mid-way, then run again, loses and duplicates nothing;
 * and two runs at once archive each order once (the lease). The orders are dated 2001 and archived
 * `--before 2002-01-01`, so no other test's orders are touched.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { writeRuntimeFile } from '../support/runtime-file';
import { adminSession, api, dynamo, newShopper, platform, type Shopper } from '../support/api';
import { useHandlerEnvironment } from '../support/checkout';
import { analyticsCaughtUp, analyticsStats, warehouseQuery } from '../support/analytics';
import { eventually } from '../support/eventually';
import { s3Client } from '../../functions/shared/clients';
import { decodeBatch, indexItemOf, type ArchiveManifest } from '../../functions/orders/archive/format';
import type { Order } from '../../functions/orders/schemas';

const BEFORE = '2002-01-01';
const SALES_2001 = '/v1/analytics/reports/sales?dimension=product&startDate=2001-01-01&endDate=2001-12-31';
let dataDir: string;
const ordersTable = () => platform().tableNames.orders;
const indexTable = () => platform().tableNames.orderArchiveIndex;
const bucket = () => platform().env.ORDER_ARCHIVE_BUCKET;

function order(userId: string, status: Order['status'], createdAt: string, extra: Partial<Order> = {}): Order {
  return {
    orderId: `ord_archive_${randomUUID().replaceAll('-', '')}`,
    userId,
    status,
    items: [{ productId: 'prod_archive_1', name: 'Archived mug', quantity: 2, unitPrice: 500, lineTotal: 1000 }],
    subtotal: 1000,
    discount: 0,
    tax: 200,
    shipping: 0,
    total: 1200,
    currency: 'GBP',
    shippingAddress: { name: 'Sam', line1: '1 Pall Mall', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    payment: status === 'CONFIRMED' ? { status: 'CHARGED', chargeId: 'ch_archive' } : { status: 'NONE' },
    ...(status === 'CANCELLED' ? { failureReason: 'PAYMENT_DECLINED' as const } : {}),
    history: [{ status, at: createdAt }],
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}

/** Writes an order as the repository stores it (a PENDING one carries the sparse `pending` key). */
const store = (o: Order) =>
  dynamo().send(
    new PutCommand({
      TableName: ordersTable(),
      Item: { ...o, ...(o.status === 'PENDING' ? { pending: 'PENDING' } : {}) },
    }),
  );
const stored = async (orderId: string) =>
  (await dynamo().send(new GetCommand({ TableName: ordersTable(), Key: { orderId }, ConsistentRead: true }))).Item;
const indexed = async (orderId: string) =>
  (await dynamo().send(new GetCommand({ TableName: indexTable(), Key: { orderId }, ConsistentRead: true }))).Item;

/** Where each of these orders is now: in the orders table, in the archive index, in both or in neither. */
async function whereabouts(ids: string[]): Promise<Record<'table' | 'index' | 'both' | 'nowhere', string[]>> {
  const found = { table: [] as string[], index: [] as string[], both: [] as string[], nowhere: [] as string[] };
  await Promise.all(
    ids.map(async (id) => {
      const [inTable, inIndex] = [Boolean(await stored(id)), Boolean(await indexed(id))];
      found[inTable && inIndex ? 'both' : inTable ? 'table' : inIndex ? 'index' : 'nowhere'].push(id);
    }),
  );
  return found;
}

/** How many permanent manifests list each of these orders. */
async function manifestCounts(ids: string[]): Promise<Map<string, number>> {
  const listed = new Map(ids.map((id) => [id, 0]));
  for (const m of await manifests())
    for (const id of m.orderIds) if (listed.has(id)) listed.set(id, listed.get(id)! + 1);
  return listed;
}

async function archiveCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/archive.ts', ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, LOCAL_DATA_DIR: dataDir },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function listKeys(Prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket(), Prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}

const readObject = async (Key: string) => {
  const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket(), Key }));
  return out.Body!.transformToByteArray();
};
const manifests = async () =>
  Promise.all(
    (await listKeys('manifests/')).map(
      async (k) => JSON.parse(Buffer.from(await readObject(k)).toString()) as ArchiveManifest,
    ),
  );

/** Every order of the shopper through GET /v1/orders, page after page. */
async function allPages(shopper: Shopper, limit: number): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | undefined;
  do {
    const res = await api(`/v1/orders?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      token: shopper.token,
    });
    expect(res.status).toBe(200);
    orders.push(...(res.body.items as Order[]));
    cursor = res.body.nextCursor as string | undefined;
  } while (cursor);
  return orders;
}

beforeAll(() => {
  useHandlerEnvironment();
  // The platform's runtime.json, in a folder of the test's: how `npm run archive` finds a running platform.
  dataDir = mkdtempSync(path.join(tmpdir(), 'archive-test-'));
  writeRuntimeFile(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run archive', () => {
  it('--help prints the usage (exit 0); a bad date is a usage error (exit 2)', async () => {
    const help = await archiveCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run archive');
    const bad = await archiveCli(['--before', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must be an ISO 8601 date');
  });
});

describe('archiving old terminal orders', () => {
  let owner: Shopper;
  let stranger: Shopper;
  const seeded: Record<string, Order> = {};
  let failuresBefore = 0;
  let salesBefore: unknown[];
  let salesReportBefore: unknown;

  beforeAll(async () => {
    [owner, stranger] = await Promise.all([newShopper(), newShopper()]);
    const recent = new Date(Date.now() - 10 * 86_400_000).toISOString();
    Object.assign(seeded, {
      confirmed: order(owner.userId, 'CONFIRMED', '2001-03-01T10:00:00.000Z'),
      cancelled: order(owner.userId, 'CANCELLED', '2001-02-01T10:00:00.000Z'),
      pending: order(owner.userId, 'PENDING', '2001-01-15T10:00:00.000Z'),
      young: order(owner.userId, 'CONFIRMED', recent),
    });
    for (const o of Object.values(seeded)) await store(o);
    // The warehouse loaded the old sale (an INSERT already CONFIRMED is a sale): it must keep it.
    await analyticsCaughtUp(60_000);
    salesBefore = await warehouseQuery(
      'SELECT event_id, revenue_pence, kind FROM sales_facts WHERE order_id = $1 ORDER BY event_id',
      [seeded.confirmed.orderId],
    );
    failuresBefore = Object.values(await analyticsStats()).reduce((n, s) => n + s.failedInvocations, 0);
    salesReportBefore = (await api(SALES_2001, { token: await adminSession() })).body;
    const run = await archiveCli(['--before', BEFORE]);
    expect(run).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({ before: '2002-01-01T00:00:00.000Z' });
  });

  it('deletes old CONFIRMED and CANCELLED orders from the table, each indexed once with its archive object', async () => {
    for (const o of [seeded.confirmed, seeded.cancelled]) {
      expect(await stored(o.orderId)).toBeUndefined();
      const item = await indexed(o.orderId);
      expect(item).toEqual({
        orderId: o.orderId,
        userId: o.userId,
        status: o.status,
        total: o.total,
        currency: o.currency,
        payment: o.payment,
        createdAt: o.createdAt,
        updatedAt: o.updatedAt,
        archiveKey: expect.stringMatching(/^orders\/[0-9a-f]{32}\.json\.gz$/),
      });
    }
  });

  it('keeps PENDING and young orders whole in the table', async () => {
    expect(await stored(seeded.pending.orderId)).toEqual({ ...seeded.pending, pending: 'PENDING' });
    expect(await stored(seeded.young.orderId)).toEqual(seeded.young);
    expect(await indexed(seeded.pending.orderId)).toBeUndefined();
    expect(await indexed(seeded.young.orderId)).toBeUndefined();
  });

  it('writes gzipped JSON in Glacier Instant Retrieval whose manifest lists the ids, count and checksum', async () => {
    const key = String((await indexed(seeded.confirmed.orderId))!.archiveKey);
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    expect(head.StorageClass).toBe('GLACIER_IR');
    const manifest = (await manifests()).find((m) => m.key === key)!;
    expect(manifest.orderIds).toContain(seeded.confirmed.orderId);
    expect(manifest.count).toBe(manifest.orderIds.length);
    const archived = decodeBatch(await readObject(key), manifest); // checks the sha256, ids and count
    expect(archived.find((o) => o.orderId === seeded.confirmed.orderId)).toEqual(seeded.confirmed);
    expect(await listKeys('pending/')).toEqual([]);
  });

  it('GET /v1/orders/{id} finds an archived order for its owner, marked archived, as it was', async () => {
    const res = await api(`/v1/orders/${seeded.cancelled.orderId}`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...seeded.cancelled, archived: true });
  });

  it("answers someone else's archived order as missing (404)", async () => {
    const res = await api(`/v1/orders/${seeded.confirmed.orderId}`, { token: stranger.token });
    expect(res.status).toBe(404);
  });

  it('GET /v1/orders lists archived orders among the others, newest first, across pages', async () => {
    const listed = await allPages(owner, 1);
    expect(listed.map((o) => [o.orderId, o.archived ?? false])).toEqual([
      [seeded.young.orderId, false],
      [seeded.confirmed.orderId, true],
      [seeded.cancelled.orderId, true],
      [seeded.pending.orderId, false],
    ]);
    expect(listed[1]).toEqual({ ...seeded.confirmed, archived: true });
    // Pages of two and three: each splits the live and the archived orders differently.
    expect((await allPages(owner, 2)).map((o) => o.orderId)).toEqual(listed.map((o) => o.orderId));
    expect((await allPages(owner, 3)).map((o) => o.orderId)).toEqual(listed.map((o) => o.orderId));
    const window = await api(`/v1/orders?from=2001-01-01&to=2001-02-28`, { token: owner.token });
    expect(window.body.items.map((o: Order) => o.orderId)).toEqual([seeded.cancelled.orderId, seeded.pending.orderId]);
  });

  it('lists an order caught between its index item and its deletion once, and reads it from the table', async () => {
    // What a run killed between the two writes leaves (the next run deletes it): an order in both places.
    // Test data: the warehouse must not count it (the figures below are compared before and after).
    const caught = order(owner.userId, 'CONFIRMED', '2001-02-15T10:00:00.000Z', { ...({ testData: true } as object) });
    await store(caught);
    await dynamo().send(
      new PutCommand({ TableName: indexTable(), Item: indexItemOf(caught, 'orders/not-written-yet.json.gz') }),
    );
    try {
      const listed = (await allPages(owner, 2)).map((o) => o.orderId);
      expect(listed.filter((id) => id === caught.orderId)).toHaveLength(1);
      const res = await api(`/v1/orders/${caught.orderId}`, { token: owner.token });
      const { testData: _mark, ...asAnswered } = caught as Order & { testData?: boolean };
      expect(res.body).toEqual(asAnswered);
    } finally {
      await dynamo().send(new DeleteCommand({ TableName: indexTable(), Key: { orderId: caught.orderId } }));
      await dynamo().send(new DeleteCommand({ TableName: ordersTable(), Key: { orderId: caught.orderId } }));
    }
  });

  it('reconciliation still sees each archived order once, as its index item has it (status, total, payment)', async () => {
    const { orderView } = await import('../../functions/payments/deps');
    const ids = Object.values(seeded).map((o) => o.orderId);
    const seen: { orderId: string }[] = [];
    for await (const o of orderView(ordersTable(), indexTable()).all()) if (ids.includes(o.orderId)) seen.push(o);
    expect(seen.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    const { confirmed } = seeded;
    expect(seen.find((o) => o.orderId === confirmed.orderId)).toMatchObject({
      status: 'CONFIRMED',
      total: confirmed.total,
      currency: confirmed.currency,
      payment: confirmed.payment,
      archived: true,
    });
  });

  it('leaves the warehouse as it was: the removals load nothing and fail nothing', async () => {
    await analyticsCaughtUp(60_000);
    const after = await warehouseQuery(
      'SELECT event_id, revenue_pence, kind FROM sales_facts WHERE order_id = $1 ORDER BY event_id',
      [seeded.confirmed.orderId],
    );
    expect(salesBefore.length).toBeGreaterThan(0);
    expect(after).toEqual(salesBefore);
    expect(Object.values(await analyticsStats()).reduce((n, s) => n + s.failedInvocations, 0)).toBe(failuresBefore);
    const report = await api(SALES_2001, { token: await adminSession() });
    expect(report.status).toBe(200);
    expect(report.body).toEqual(salesReportBefore);
  });

  it('a second run finds nothing left to archive', async () => {
    const run = await archiveCli(['--before', BEFORE]);
    expect(JSON.parse(run.stdout)).toMatchObject({ archived: 0, batches: 0, resumed: 0 });
  });
});

/** COUNT old terminal orders of a new shopper, an hour apart in 2001, marked test data (the warehouse need not load them). */
async function seedOldOrders(count: number, startHour: number): Promise<{ shopper: Shopper; ids: string[] }> {
  const shopper = await newShopper();
  const orders = Array.from({ length: count }, (_, i) =>
    order(
      shopper.userId,
      i % 3 ? 'CONFIRMED' : 'CANCELLED',
      new Date(Date.UTC(2001, 0, 1) + (startHour + i) * 3_600_000).toISOString(),
      { ...({ testData: true } as object) },
    ),
  );
  for (let i = 0; i < orders.length; i += 25)
    await dynamo().send(
      new BatchWriteCommand({
        RequestItems: { [ordersTable()]: orders.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  return { shopper, ids: orders.map((o) => o.orderId) };
}

/** The archive job in a process of its own (node with tsx as a loader, as `npm start` runs it). */
function spawnArchive(args: string[]) {
  // Not the tsx CLI: it would run the job in a child of its own, which a SIGKILL of the CLI leaves running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/archive.ts', '--before', BEFORE, ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

/** Each order archived exactly once: gone from the table, one index item, in one manifest, listed once as archived. */
async function expectArchivedOnce(shopper: Shopper, ids: string[]) {
  expect(await whereabouts(ids)).toEqual({ table: [], index: expect.any(Array), both: [], nowhere: [] });
  expect([...(await manifestCounts(ids))].filter(([, n]) => n !== 1)).toEqual([]);
  expect(await listKeys('pending/')).toEqual([]);
  const pages = await allPages(shopper, 100);
  expect(pages).toHaveLength(ids.length);
  expect(new Set(pages.map((o) => o.orderId))).toEqual(new Set(ids));
  expect(pages.every((o) => o.archived === true)).toBe(true);
}

describe('an archive run killed mid-way', () => {
  const COUNT = 400;
  let shopper: Shopper;
  let ids: string[];

  beforeAll(async () => {
    ({ shopper, ids } = await seedOldOrders(COUNT, 0));
  });

  it('loses and duplicates no order once run again, after its lease has lapsed', async () => {
    const manifestsBefore = (await manifests()).length;
    // A short lease: the killed run's lapses soon, and the rerun waits for that.
    const { child, exited } = spawnArchive(['--batch-size', '10', '--lease-seconds', '3']);
    try {
      // Killed once its first batches are in: wherever in a batch that lands.
      await eventually(async () => expect((await manifests()).length).toBeGreaterThanOrEqual(manifestsBefore + 2), {
        timeout: 60_000,
        interval: 20,
      });
      child.kill('SIGKILL');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect((await exited).signal).toBe('SIGKILL');
    const afterKill = await whereabouts(ids);
    expect(afterKill.nowhere).toEqual([]); // nothing lost, even mid-batch
    expect(afterKill.table.length + afterKill.both.length).toBeGreaterThan(0); // the kill did interrupt the run

    // Until the killed run's lease lapses a rerun does nothing and says so (exit 3); then it finishes the work.
    const refusals: string[] = [];
    await eventually(
      async () => {
        const rerun = await archiveCli(['--before', BEFORE, '--batch-size', '10']);
        if (rerun.code === 3) refusals.push(rerun.stderr);
        expect(rerun.code).toBe(0);
      },
      { timeout: 120_000, interval: 500 },
    );
    for (const refusal of refusals)
      expect(refusal).toMatch(/^archive not run: another archive run holds the lease until \d{4}-\d{2}-\d{2}T/);
    await expectArchivedOnce(shopper, ids);
  });
});

describe('two archive runs at once', () => {
  const COUNT = 200;
  let shopper: Shopper;
  let ids: string[];

  beforeAll(async () => {
    ({ shopper, ids } = await seedOldOrders(COUNT, 1000));
  });

  it('archive every order exactly once: one run holds the lease, the other exits 3 saying so', async () => {
    const runs = [spawnArchive(['--batch-size', '10']), spawnArchive(['--batch-size', '7'])];
    const outcomes = await Promise.all(runs.map((r) => r.exited));
    for (const o of outcomes) expect([0, 3]).toContain(o.code);
    const done = outcomes.filter((o) => o.code === 0);
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const o of outcomes.filter((r) => r.code === 3))
      expect(o.stderr).toContain('another archive run holds the lease until');
    // A run that started after the other ended finds nothing of these left: the archived counts add up once.
    const archived = done.map((o) => (JSON.parse(o.stdout) as { archived: number }).archived);
    expect(archived.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(COUNT);
    await expectArchivedOnce(shopper, ids);
  });
});
