/**
 * The restore drill: the integration platform, holding orders in every state (placed through the API: confirmed
 * and declined; written: pending; archived: its archive index item and archive object) and objects in its buckets, is backed
 * up with `npm run backup`, restored with `npm run restore` into a fresh data directory, and a second platform is
 * started on that directory: every item and object of the snapshot is there, identical. A snapshot with one
 * damaged byte is refused with a clear error and restores nothing; a data directory in use or not empty is refused.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot, startPlatform, type Platform } from '@ecicomm/local-platform/platform';
import { writeRuntimeFile } from '../support/runtime-file';
import { dynamo, newShopper, platform, type Shopper } from '../support/api';
import { checkout, productWithStock, useHandlerEnvironment } from '../support/checkout';
import { analyticsCaughtUp } from '../support/analytics';
import { eventually } from '../support/eventually';
import { freePortOptions, stopPlatformStartedIn } from '../support/platform-on-free-ports';
import { s3Client } from '../../functions/shared/clients';
import { WAREHOUSE_VERSION_ID } from '../../functions/analytics/adapters/warehouse-version';
import { clientsFromEnvironment, readPlatform } from '../../lib/ops/backup/read-platform';
import { readVerifiedSnapshot } from '../../lib/ops/backup/verify-snapshot';
import { canonicalJson, sha256, type PlatformData } from '../../lib/ops/backup/snapshot';

let work: string;
/** Running: a process killed but not yet reaped (a zombie) is not. */
const isAlive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};
let runtimeDir: string;
let snapshotDir: string;

async function cli(script: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      [script, ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
const backup = (args: string[]) => cli('bin/backup.ts', args, { LOCAL_DATA_DIR: runtimeDir });
const restore = (args: string[], dataDir: string) => cli('bin/restore.ts', args, { LOCAL_DATA_DIR: dataDir });

/** Items as lines, objects as descriptions with their bytes' sha256: what "identical" compares. */
const itemsOf = (data: PlatformData, table: string) => data.tables[table].items.map((i) => canonicalJson(i));
const objectsOf = (data: PlatformData, bucket: string) =>
  data.buckets[bucket].objects
    .map((o) =>
      canonicalJson({
        key: o.key,
        sha256: sha256(o.body),
        storageClass: o.storageClass,
        metadata: o.metadata ?? {},
        contentType: o.contentType,
      }),
    )
    .sort();

beforeAll(async () => {
  useHandlerEnvironment();
  work = mkdtempSync(path.join(tmpdir(), 'backup-drill-'));
  runtimeDir = path.join(work, 'running');
  snapshotDir = path.join(work, 'snapshot');
  mkdirSync(runtimeDir);
  writeRuntimeFile(runtimeDir);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run backup and npm run restore', () => {
  it('--help prints the usage (exit 0); a missing or unknown option is a usage error (exit 2)', async () => {
    expect(await backup(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('usage: npm run backup'),
    });
    expect(await backup([])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("required option '--out <dir>'"),
    });
    expect(await restore(['--help'], path.join(work, 'x'))).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('usage: npm run restore'),
    });
    expect(await restore(['--from', snapshotDir, '--wat'], path.join(work, 'x'))).toMatchObject({ code: 2 });
  });
});

/** The drill's orders by the state it left them in (placed through the API, or written). */
const orderIds: Record<string, string> = {};
let restoredDir: string;
let restored: Promise<Platform> | undefined;

/** An order item written straight into the orders table, for a state the API does not leave an order in. */
async function putOrder(
  shopper: Shopper,
  product: string,
  order: { orderId: string; status: string; at: string } & Record<string, unknown>,
) {
  const { orderId, status, at, ...rest } = order;
  await dynamo().send(
    new PutCommand({
      TableName: platform().tableNames.orders,
      Item: {
        orderId,
        userId: shopper.userId,
        items: [{ productId: product, name: 'x', quantity: 1, unitPrice: 1500, lineTotal: 1500 }],
        subtotal: 1500,
        discount: 0,
        tax: 0,
        shipping: 0,
        total: 1500,
        currency: 'GBP',
        shippingAddress: { name: 'S', line1: '1 A St', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
        status,
        payment: { status: 'NONE' },
        history: [{ status, at }],
        createdAt: at,
        updatedAt: at,
        testData: true,
        ...rest,
      },
    }),
  );
}

/** Orders in every state: confirmed and declined through the API, pending and archived written. */
async function placeDrillOrders() {
  const shopper = await newShopper();
  const product = await productWithStock(10, 1500);
  orderIds.confirmed = (await checkout(shopper, { items: [{ productId: product, quantity: 1 }] })).orderId;
  orderIds.cancelled = (
    await checkout(shopper, {
      items: [{ productId: product, quantity: 1 }],
      paymentToken: 'tok_chargeDeclined',
    })
  ).orderId;
  orderIds.pending = `ord_drill_${randomUUID().replaceAll('-', '')}`;
  await putOrder(shopper, product, {
    orderId: orderIds.pending,
    status: 'PENDING',
    at: new Date().toISOString(),
    pending: 'PENDING',
  });
  orderIds.archived = `ord_drill_${randomUUID().replaceAll('-', '')}`;
  await putOrder(shopper, product, { orderId: orderIds.archived, status: 'CANCELLED', at: '2001-05-05T05:05:05.000Z' });
  const { archiveOrders } = await import('../../functions/orders/archive/archive-orders');
  const { liveArchiveDeps } = await import('../../functions/orders/archive/deps');
  await archiveOrders(liveArchiveDeps(), { before: '2002-01-01' });
}

/** Bytes in the aggregates table and objects in the buckets, as the snapshot must bring them back. */
async function putDrillBytesAndObjects() {
  // Bytes, as the analytics result cache stores its gzipped answers: a snapshot must bring them back as bytes.
  await dynamo().send(
    new PutCommand({
      TableName: platform().tableNames.aggregates,
      Item: { id: `drill#${randomUUID()}`, value: new Uint8Array([31, 139, 0, 255]), testData: true },
    }),
  );
  await s3Client().send(
    new PutObjectCommand({
      Bucket: platform().env.IMAGES_BUCKET,
      Key: 'products/drill/images/a b/800.webp',
      Body: Buffer.from([1, 2, 3, 255]),
      ContentType: 'image/webp',
      Metadata: { origin: 'drill' },
    }),
  );
  await s3Client().send(
    new PutObjectCommand({
      Bucket: platform().env.AUDIT_BUCKET,
      Key: 'audit/2026/12/07/drill.json.gz',
      Body: 'drill',
    }),
  );
}

// Two blocks, one after the other, on the same snapshot: the backup and what it refuses, then the restores.
describe('the restore drill: the snapshot', () => {
  beforeAll(async () => {
    await placeDrillOrders();
    await putDrillBytesAndObjects();
    // The warehouse's consumers write their version into the aggregates table as they load: let them finish.
    await analyticsCaughtUp(60_000);
  });

  it('backs up the running platform to a checksummed snapshot', async () => {
    const run = await backup(['--out', snapshotDir]);
    expect(run).toMatchObject({ code: 0 });
    const { manifest, data } = readVerifiedSnapshot(snapshotDir);
    expect(Object.keys(manifest.tables).sort()).toEqual(Object.keys(platform().tableNames).sort());
    expect(Object.keys(manifest.buckets).sort()).toEqual(['audit', 'images', 'orderArchive']);
    const statuses = (table: 'orders' | 'orderArchiveIndex') =>
      data.tables[table].items
        .filter((i) => Object.values(orderIds).includes(String(i.orderId.S)))
        .map((i) => [i.orderId.S, i.status.S]);
    expect(statuses('orders').sort()).toEqual(
      [
        [orderIds.confirmed, 'CONFIRMED'],
        [orderIds.cancelled, 'CANCELLED'],
        [orderIds.pending, 'PENDING'],
      ].sort(),
    );
    // The archived order left the orders table: its index item is in the snapshot, its object in the bucket's.
    expect(statuses('orderArchiveIndex')).toEqual([[orderIds.archived, 'CANCELLED']]);
    const archiveKey = data.tables.orderArchiveIndex.items.find((i) => i.orderId.S === orderIds.archived)!.archiveKey.S;
    expect(manifest.buckets.orderArchive.objects.map((o) => o.key)).toContain(archiveKey);
    expect(manifest.buckets.orderArchive.objects.some((o) => o.storageClass === 'GLACIER_IR')).toBe(true);
  });

  it('refuses a snapshot with one damaged byte, naming the file, and restores nothing', async () => {
    const damaged = path.join(work, 'damaged');
    cpSync(snapshotDir, damaged, { recursive: true });
    const file = path.join(damaged, 'tables', 'orders.jsonl');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(file, bytes);
    const into = path.join(work, 'refused');
    const run = await restore(['--from', damaged], into);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('tables/orders.jsonl does not match its sha256');
    expect(run.stderr).toContain('nothing was restored');
    expect(existsSync(into) ? readdirSync(into) : []).toEqual([]);
  });

  it('refuses to restore into a data directory that is not empty', async () => {
    const run = await restore(['--from', snapshotDir], runtimeDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is running on|is not empty/);
    expect(readdirSync(runtimeDir)).toEqual(['runtime.json']);
  });
});

describe('the restore drill: restoring', () => {
  afterAll(async () => {
    if (restoredDir) await stopPlatformStartedIn(restored, restoredDir);
  });

  it('a restore killed midway leaves the data directory as it was; the next one stops its leftovers and finishes', async () => {
    const into = path.join(work, 'killed');
    mkdirSync(into);
    writeFileSync(path.join(into, 'before.txt'), 'the data directory as it was');
    const staging = `${into}.restoring`;
    const child = spawn(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/restore.ts', '--from', snapshotDir, '--force'],
      { cwd: projectRoot, env: { ...process.env, LOCAL_DATA_DIR: into }, detached: true, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Its node processes killed hard once its DynamoDB Local has started, which is left running, orphaned.
    const pidsOf = () => {
      try {
        return (JSON.parse(readFileSync(path.join(staging, 'pids.json'), 'utf8')) as { pids: number[] }).pids;
      } catch {
        return [];
      }
    };
    await eventually(() => expect(pidsOf().length).toBeGreaterThan(0), { timeout: 90_000, interval: 100 });
    const [dynamoPid] = pidsOf();
    // Its tables' scratch folder (in memory, lib/local/backup/memory-scratch.ts) is linked from its staging directory.
    const scratchLink = path.join(staging, 'dynamodb');
    const scratch = lstatSync(scratchLink).isSymbolicLink() ? readlinkSync(scratchLink) : scratchLink;
    const group = execFileSync('ps', ['-o', 'pid=', '-g', String(child.pid)], { encoding: 'utf8' });
    for (const pid of group.split('\n').map(Number).filter(Boolean))
      if (pid !== dynamoPid) process.kill(pid, 'SIGKILL');
    await exited;
    expect(readdirSync(into)).toEqual(['before.txt']);
    expect(isAlive(dynamoPid)).toBe(true);
    const rerun = await restore(['--from', snapshotDir, '--force'], into);
    expect({ code: rerun.code, error: rerun.code ? rerun.stderr : '' }).toEqual({ code: 0, error: '' });
    expect(readdirSync(into).sort()).toEqual(['dynamodb', 's3']);
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(scratch)).toBe(false);
    expect(isAlive(dynamoPid)).toBe(false);
  }, 240_000);

  it('restores into a fresh data directory, on which a platform starts with every item and object identical', async () => {
    // An empty folder made beforehand, as a user's `mkdir` of their LOCAL_DATA_DIR would be.
    restoredDir = path.join(work, 'restored');
    mkdirSync(restoredDir);
    const run = await restore(['--from', snapshotDir], restoredDir);
    expect({ code: run.code, error: run.code ? run.stderr : '' }).toEqual({ code: 0, error: '' });
    restored = startPlatform({
      ...(await freePortOptions()),
      dataDir: restoredDir,
      seed: 'none',
      sweepEverySeconds: 0,
      archiveEverySeconds: 0,
    });
    const started = await restored;
    const snapshot = readVerifiedSnapshot(snapshotDir).data;
    const clients = clientsFromEnvironment(started.env);
    const now = await readPlatform(clients);
    clients.dynamo.destroy();
    clients.s3.destroy();
    for (const table of Object.keys(snapshot.tables)) {
      const present = new Set(itemsOf(now, table));
      // The warehouse's version is the restored platform's own (its consumers load the restored streams anew).
      const expected = itemsOf(snapshot, table).filter(
        (line) => !(table === 'aggregates' && line.includes(WAREHOUSE_VERSION_ID)),
      );
      expect({ table, missing: expected.filter((line) => !present.has(line)) }).toEqual({ table, missing: [] });
    }
    for (const bucket of Object.keys(snapshot.buckets))
      expect(objectsOf(now, bucket)).toEqual(objectsOf(snapshot, bucket));
    // Cognito's users are not part of a snapshot (nor of AWS Backup): the restored platform answers, with its own admin.
    expect((await fetch(`${started.apiUrl}/v1/health`)).status).toBe(200);
    // A second whole platform (a JVM for DynamoDB Local among its emulators) starts beside the first: 30-50 s on a
    // quiet machine, over a minute on a loaded CI runner, as the other files that start one allow.
  }, 240_000);
});
