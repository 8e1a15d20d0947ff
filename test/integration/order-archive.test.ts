/**
 * The archive of old orders against the platform's DynamoDB Local and S3 emulator: old terminal orders move to
 * the archive bucket (gzipped JSON, manifest, Glacier IR) and leave stubs; young and PENDING ones stay; the read
 * routes still find an archived order for its owner (`archived: true`, newest first among the others, paginated),
 * and no one else; the warehouse keeps its figures; and a run killed with SIGKILL mid-way, then run again, loses
 * and duplicates nothing. The orders are dated 2001 and archived `--before 2002-01-01`, so no other test's
 * orders are touched.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { api, dynamo, newShopper, platform, type Shopper } from '../support/api';
import { useHandlerEnvironment } from '../support/checkout';
import { analyticsCaughtUp, analyticsStats, warehouseQuery } from '../support/analytics';
import { eventually } from '../support/eventually';
import { s3Client } from '../../functions/shared/clients';
import { decodeBatch, type ArchiveManifest } from '../../functions/orders/archive/format';
import type { Order } from '../../functions/orders/schemas';

const BEFORE = '2002-01-01';
let dataDir: string;
const ordersTable = () => platform().tableNames.orders;
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
  const info = platform();
  writeFileSync(
    path.join(dataDir, 'runtime.json'),
    JSON.stringify({
      apiUrl: info.apiUrl,
      lambdaEndpoint: info.lambdaEndpoint,
      failureQueueUrls: {},
      env: info.env,
      pid: process.pid,
    }),
  );
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
    const run = await archiveCli(['--before', BEFORE]);
    expect(run).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({ before: '2002-01-01T00:00:00.000Z' });
  });

  it('replaces old CONFIRMED and CANCELLED orders by stubs pointing at their archive object', async () => {
    for (const o of [seeded.confirmed, seeded.cancelled]) {
      const stub = await stored(o.orderId);
      expect(stub).toMatchObject({
        archived: true,
        status: o.status,
        userId: o.userId,
        createdAt: o.createdAt,
        total: o.total,
      });
      expect(stub).not.toHaveProperty('items');
      expect(stub).not.toHaveProperty('shippingAddress');
    }
  });

  it('keeps PENDING and young orders whole in the table', async () => {
    expect(await stored(seeded.pending.orderId)).toEqual({ ...seeded.pending, pending: 'PENDING' });
    expect(await stored(seeded.young.orderId)).toEqual(seeded.young);
  });

  it('writes gzipped JSON in Glacier Instant Retrieval whose manifest lists the ids, count and checksum', async () => {
    const stub = (await stored(seeded.confirmed.orderId))!;
    const key = String(stub.archiveKey);
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
    const window = await api(`/v1/orders?from=2001-01-01&to=2001-02-28`, { token: owner.token });
    expect(window.body.items.map((o: Order) => o.orderId)).toEqual([seeded.cancelled.orderId, seeded.pending.orderId]);
  });

  it('leaves the warehouse as it was: the stubs load nothing and fail nothing', async () => {
    await analyticsCaughtUp(60_000);
    const after = await warehouseQuery(
      'SELECT event_id, revenue_pence, kind FROM sales_facts WHERE order_id = $1 ORDER BY event_id',
      [seeded.confirmed.orderId],
    );
    expect(salesBefore.length).toBeGreaterThan(0);
    expect(after).toEqual(salesBefore);
    expect(Object.values(await analyticsStats()).reduce((n, s) => n + s.failedInvocations, 0)).toBe(failuresBefore);
  });

  it('a second run finds nothing left to archive', async () => {
    const run = await archiveCli(['--before', BEFORE]);
    expect(JSON.parse(run.stdout)).toMatchObject({ archived: 0, batches: 0, resumed: 0 });
  });
});

describe('an archive run killed mid-way', () => {
  const COUNT = 400;
  let shopper: Shopper;
  let ids: string[];

  beforeAll(async () => {
    shopper = await newShopper();
    const orders = Array.from({ length: COUNT }, (_, i) =>
      order(
        shopper.userId,
        i % 3 ? 'CONFIRMED' : 'CANCELLED',
        new Date(Date.UTC(2001, 0, 1) + i * 3_600_000).toISOString(),
        {
          // Test data: the warehouse need not load four hundred sales.
          ...({ testData: true } as object),
        },
      ),
    );
    ids = orders.map((o) => o.orderId);
    for (let i = 0; i < orders.length; i += 25)
      await dynamo().send(
        new BatchWriteCommand({
          RequestItems: { [ordersTable()]: orders.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
  });

  it('loses and duplicates no order once run again', async () => {
    const manifestsBefore = (await manifests()).length;
    // The job's own process (node with tsx as a loader, as `npm start` runs): the tsx CLI would run it in a child
    // of its own, which a SIGKILL of the CLI leaves running.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bin/archive.ts', '--before', BEFORE, '--batch-size', '10'],
      { cwd: projectRoot, env: { ...process.env, LOCAL_DATA_DIR: dataDir }, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
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
    expect(await exited).toBe('SIGKILL');
    const stubsAfterKill = (await Promise.all(ids.map(stored))).filter((i) => i?.archived === true).length;
    expect(stubsAfterKill).toBeLessThan(COUNT); // the kill did interrupt the run

    const rerun = await archiveCli(['--before', BEFORE, '--batch-size', '10']);
    expect(rerun.code).toBe(0);

    const items = await Promise.all(ids.map(stored));
    expect(items.every((i) => i?.archived === true)).toBe(true);
    const listed = new Map<string, number>();
    for (const m of await manifests()) for (const id of m.orderIds) listed.set(id, (listed.get(id) ?? 0) + 1);
    expect(ids.filter((id) => listed.get(id) !== 1)).toEqual([]);
    expect(await listKeys('pending/')).toEqual([]);
    const pages = await allPages(shopper, 100);
    expect(pages).toHaveLength(COUNT);
    expect(new Set(pages.map((o) => o.orderId))).toEqual(new Set(ids));
    expect(pages.every((o) => o.archived === true)).toBe(true);
  });
});
