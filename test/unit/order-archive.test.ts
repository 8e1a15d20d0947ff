/**
 * The archive job's domain over in-memory ports (the adapters are exercised against the emulators in
 * test/integration/order-archive.test.ts): what it moves out of the orders table, what it refuses to move, how
 * it resumes, the lease between runs; and what the archive's removal of an order means to the orders stream's
 * consumers (the warehouse's mapping, the domain-events publisher).
 */
import { readFileSync } from 'node:fs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import {
  archiveCutoff,
  archiveOrders,
  LeaseHeldError,
  LeaseLostError,
} from '../../functions/orders/archive/archive-orders';
import {
  encodeBatch,
  indexItemOf,
  sha256Hex,
  type ArchiveManifest,
  type StoredOrder,
} from '../../functions/orders/archive/format';
import type {
  ArchivableOrders,
  ArchiveLease,
  ArchiveStore,
  LeaseHolder,
  MoveOutcome,
} from '../../functions/orders/archive/ports';
import { orderLoadFromStreamRecord } from '../../functions/analytics/adapters/orders-stream-records';
import { orderEvents } from '../../functions/events/domain/from-stream';

const order = (n: number, status = 'CONFIRMED', createdAt = '2020-01-01T00:00:00.000Z'): StoredOrder => ({
  orderId: `ord_${String(n).padStart(4, '0')}`,
  userId: 'user-1',
  status,
  items: [{ productId: 'p1', quantity: 1, unitPrice: 100, lineTotal: 100 }],
  total: 100,
  currency: 'GBP',
  payment: { status: 'CHARGED' },
  createdAt,
  updatedAt: createdAt,
});

/** The orders table and the archive index as maps, with the DynamoDB adapter's conditional writes. */
class TableInMemory implements ArchivableOrders {
  readonly items = new Map<string, Record<string, unknown>>();
  readonly index = new Map<string, Record<string, unknown>>();
  constructor(orders: StoredOrder[]) {
    for (const o of orders) this.items.set(o.orderId, structuredClone(o));
  }
  async *candidates(before: string) {
    for (const item of [...this.items.values()])
      if (['CONFIRMED', 'CANCELLED'].includes(String(item.status)) && String(item.createdAt) < before)
        yield structuredClone(item) as StoredOrder;
  }
  async moveToArchive(o: StoredOrder, key: string): Promise<MoveOutcome> {
    const indexed = this.index.get(o.orderId);
    if (indexed && indexed.archiveKey !== key) return 'conflict';
    this.index.set(o.orderId, indexItemOf(o, key));
    const now = this.items.get(o.orderId);
    if (now?.updatedAt === o.updatedAt && now.status === o.status) {
      this.items.delete(o.orderId);
      return 'moved';
    }
    if (!now) return 'gone';
    this.index.delete(o.orderId);
    return 'changed';
  }
}

/** The lease item, with the DynamoDB adapter's conditions. */
class LeaseInMemory implements ArchiveLease {
  holder?: LeaseHolder;
  readonly taken: string[] = [];
  async acquire(owner: string, now: string, expiresAt: string) {
    if (this.holder && this.holder.expiresAt >= now && this.holder.owner !== owner)
      return { acquired: false as const, holder: this.holder };
    this.holder = { owner, expiresAt };
    this.taken.push(owner);
    return { acquired: true as const };
  }
  async renew(owner: string, expiresAt: string) {
    if (this.holder?.owner !== owner) return false;
    this.holder = { owner, expiresAt };
    return true;
  }
  async release(owner: string) {
    if (this.holder?.owner === owner) this.holder = undefined;
  }
}

class BucketInMemory implements ArchiveStore {
  readonly objects = new Map<string, Uint8Array>();
  /** Damages what the next putArchive writes (a torn or corrupted write). */
  corruptNextPut = false;
  async putArchive(key: string, body: Uint8Array) {
    const bytes = Uint8Array.from(body);
    if (this.corruptNextPut) bytes[bytes.length - 1] ^= 0xff;
    this.corruptNextPut = false;
    this.objects.set(key, bytes);
  }
  async getArchive(key: string) {
    return this.objects.get(key);
  }
  async putManifest(m: ArchiveManifest) {
    this.objects.set(`manifests/${m.batchId}.json`, Buffer.from(JSON.stringify(m)));
  }
  async putPending(m: ArchiveManifest) {
    this.objects.set(`pending/${m.batchId}.json`, Buffer.from(JSON.stringify(m)));
  }
  async listPending() {
    return [...this.objects]
      .filter(([k]) => k.startsWith('pending/'))
      .map(([, v]) => JSON.parse(Buffer.from(v).toString()) as ArchiveManifest);
  }
  async deletePending(batchId: string) {
    this.objects.delete(`pending/${batchId}.json`);
  }
}

const clock = { now: () => new Date('2026-12-07T00:00:00.000Z') };
const depsOf = (orders: ArchivableOrders, store: ArchiveStore, lease: ArchiveLease = new LeaseInMemory()) => ({
  orders,
  store,
  lease,
  clock,
  retentionDays: 365,
  batchSize: 2,
});

describe('archiveOrders', () => {
  it('archives orders older than the retention (365 days by default) and nothing younger', () => {
    expect(archiveCutoff({ clock, retentionDays: 365 })).toBe('2025-12-07T00:00:00.000Z');
  });

  it('moves old terminal orders only out of the table into the index, each batch in one verified object', async () => {
    const table = new TableInMemory([
      order(1),
      order(2, 'CANCELLED'),
      order(3, 'PENDING'),
      order(4, 'CONFIRMED', '2026-06-01T00:00:00.000Z'),
      order(5),
    ]);
    const store = new BucketInMemory();
    const report = await archiveOrders(depsOf(table, store));
    expect(report).toMatchObject({ archived: 3, batches: 2, changed: 0 });
    expect([...table.items.keys()]).toEqual(['ord_0003', 'ord_0004']);
    expect([...table.index.keys()].sort()).toEqual(['ord_0001', 'ord_0002', 'ord_0005']);
    const key = String(table.index.get('ord_0001')!.archiveKey);
    expect(table.index.get('ord_0001')).toEqual({ ...indexItemOf(order(1), key) });
    expect(table.index.get('ord_0001')).not.toHaveProperty('items');
    const objects = [...store.objects.keys()].filter((k) => k.startsWith('orders/'));
    expect(objects).toHaveLength(2);
  });

  it('moves nothing when the object read back does not match its checksum, and says so', async () => {
    const table = new TableInMemory([order(1), order(2)]);
    const store = new BucketInMemory();
    const lease = new LeaseInMemory();
    store.corruptNextPut = true;
    await expect(archiveOrders(depsOf(table, store, lease))).rejects.toThrow(/does not match its checksum/);
    expect(table.items.size).toBe(2);
    expect(table.index.size).toBe(0);
    expect(lease.holder).toBeUndefined(); // a failed run gives its lease back
  });

  it('finishes a batch a killed run left pending with its object written, before anything else', async () => {
    const orders = [order(1), order(2)];
    const table = new TableInMemory(orders);
    const store = new BucketInMemory();
    const { manifest, body } = encodeBatch(orders);
    await store.putPending(manifest);
    await store.putArchive(manifest.key, body);
    // The killed run had moved the first order, and indexed the second without deleting it.
    await table.moveToArchive(orders[0], manifest.key);
    table.index.set('ord_0002', indexItemOf(orders[1], manifest.key));
    const report = await archiveOrders(depsOf(table, store));
    expect(report).toMatchObject({ resumed: 1, archived: 1, batches: 0 });
    expect(table.items.size).toBe(0);
    expect([...table.index.values()].map((i) => i.archiveKey)).toEqual([manifest.key, manifest.key]);
    expect(await store.listPending()).toEqual([]);
  });

  it('drops a pending batch whose object never got written whole, and archives its orders afresh', async () => {
    const orders = [order(1), order(2)];
    const table = new TableInMemory(orders);
    const store = new BucketInMemory();
    const { manifest, body } = encodeBatch(orders);
    await store.putPending(manifest);
    await store.putArchive(manifest.key, body.subarray(0, 10));
    const report = await archiveOrders(depsOf(table, store));
    expect(report).toMatchObject({ resumed: 1, archived: 2, batches: 1 });
    expect(sha256Hex(store.objects.get(manifest.key)!)).toBe(manifest.sha256);
  });

  it('leaves an order that changed since it was archived whole in the table, and out of the index', async () => {
    const table = new TableInMemory([order(1)]);
    const store = new BucketInMemory();
    const original = store.putArchive.bind(store);
    // A refund recorded on the order between the archive write and its stub.
    store.putArchive = async (key: string, body: Uint8Array) => {
      await original(key, body);
      table.items.set('ord_0001', { ...table.items.get('ord_0001'), updatedAt: '2020-02-01T00:00:00.000Z' });
    };
    const report = await archiveOrders(depsOf(table, store));
    expect(report).toMatchObject({ archived: 0, changed: 1 });
    expect(table.items.get('ord_0001')).toMatchObject({ updatedAt: '2020-02-01T00:00:00.000Z' });
    expect(table.index.size).toBe(0);
  });
});

describe('an order indexed under another archive object already', () => {
  it('is left in the table and its index item as it is, and reported', async () => {
    const table = new TableInMemory([order(1), order(2)]);
    table.index.set('ord_0001', indexItemOf(order(1), 'orders/another.json.gz'));
    const report = await archiveOrders(depsOf(table, new BucketInMemory()));
    expect(report).toMatchObject({ archived: 1, conflicts: 1 });
    expect([...table.items.keys()]).toEqual(['ord_0001']);
    expect(table.index.get('ord_0001')).toMatchObject({ archiveKey: 'orders/another.json.gz' });
  });
});

describe('the archive lease', () => {
  it('a run finding the lease held by another archives nothing and says until when', async () => {
    const table = new TableInMemory([order(1)]);
    const lease = new LeaseInMemory();
    lease.holder = { owner: 'run-a', expiresAt: '2026-12-07T00:05:00.000Z' };
    const run = archiveOrders(depsOf(table, new BucketInMemory(), lease));
    await expect(run).rejects.toThrow(LeaseHeldError);
    await expect(run).rejects.toThrow('another archive run holds the lease until 2026-12-07T00:05:00.000Z (run run-a)');
    expect(table.items.size).toBe(1);
    expect(lease.holder).toEqual({ owner: 'run-a', expiresAt: '2026-12-07T00:05:00.000Z' });
  });

  it("takes over a killed run's lease once it has expired, and gives it back when done", async () => {
    const table = new TableInMemory([order(1)]);
    const lease = new LeaseInMemory();
    lease.holder = { owner: 'killed', expiresAt: '2026-12-06T23:59:59.000Z' };
    const report = await archiveOrders({ ...depsOf(table, new BucketInMemory(), lease), runId: 'run-b' });
    expect(report).toMatchObject({ archived: 1 });
    expect(lease.taken).toEqual(['run-b']);
    expect(lease.holder).toBeUndefined();
  });

  it('renews the lease after every batch, and stops when another run has taken it', async () => {
    const table = new TableInMemory([order(1), order(2), order(3), order(4)]);
    const lease = new LeaseInMemory();
    const renew = lease.renew.bind(lease);
    const renewals: string[] = [];
    lease.renew = async (owner, expiresAt) => {
      renewals.push(expiresAt);
      lease.holder = { owner: 'run-c', expiresAt }; // the lease lapsed and run-c took it
      return renew(owner, expiresAt);
    };
    const run = archiveOrders({ ...depsOf(table, new BucketInMemory(), lease), runId: 'run-b', leaseSeconds: 60 });
    await expect(run).rejects.toThrow(LeaseLostError);
    expect(renewals).toEqual(['2026-12-07T00:01:00.000Z']);
    expect(table.items.size).toBe(2); // the first batch of two was done; the second was not begun
    expect(lease.holder?.owner).toBe('run-c'); // not released: it is not ours
  });
});

describe("the orders stream's consumers and the archive's removals", () => {
  const confirmed = () =>
    JSON.parse(
      readFileSync(new URL('../../events/dynamodb-stream/order-confirmed.json', import.meta.url), 'utf8'),
    ) as DynamoDBStreamEvent;
  /** The REMOVE the archive job's DeleteItem puts on the orders stream: the old image only. */
  const removal = (): DynamoDBRecord => {
    const record = confirmed().Records[0];
    const { NewImage, ...rest } = record.dynamodb!;
    return { ...record, eventName: 'REMOVE', dynamodb: { ...rest, OldImage: NewImage } };
  };

  it('the warehouse loads nothing for an archived order leaving the table (no sale, no refund, no failure)', () => {
    expect(orderLoadFromStreamRecord(removal())).toEqual({ kind: 'NONE', rows: [] });
  });

  it('the domain-events publisher publishes nothing for it (no OrderCancelled, no OrderPlaced)', () => {
    const record = removal();
    const oldImage = unmarshall(record.dynamodb!.OldImage as Record<string, AttributeValue>);
    expect(orderEvents({ eventName: 'REMOVE', oldImage, newImage: undefined })).toEqual([]);
  });
});
