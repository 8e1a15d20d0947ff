/**
 * The archive job's domain over in-memory ports (the adapters are exercised against the emulators in
 * test/integration/order-archive.test.ts): what it stubs, what it refuses to stub, how it resumes; and what an
 * archive stub means to the warehouse's orders-stream mapping.
 */
import { readFileSync } from 'node:fs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { archiveCutoff, archiveOrders } from '../../functions/orders/archive/archive-orders';
import {
  encodeBatch,
  sha256Hex,
  stubOf,
  type ArchiveManifest,
  type StoredOrder,
} from '../../functions/orders/archive/format';
import type { ArchivableOrders, ArchiveStore } from '../../functions/orders/archive/ports';
import { orderLoadFromStreamRecord } from '../../functions/analytics/adapters/orders-stream-records';

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

/** The orders table as a map, with the conditional stub write of the DynamoDB adapter. */
class TableInMemory implements ArchivableOrders {
  readonly items = new Map<string, Record<string, unknown>>();
  constructor(orders: StoredOrder[]) {
    for (const o of orders) this.items.set(o.orderId, structuredClone(o));
  }
  async *candidates(before: string) {
    for (const item of [...this.items.values()])
      if (['CONFIRMED', 'CANCELLED'].includes(String(item.status)) && String(item.createdAt) < before && !item.archived)
        yield structuredClone(item) as StoredOrder;
  }
  async stored(orderId: string) {
    return this.items.get(orderId);
  }
  async replaceWithStub(o: StoredOrder, key: string) {
    const now = this.items.get(o.orderId);
    if (now?.archived) return 'archived' as const;
    if (!now || now.updatedAt !== o.updatedAt) return 'changed' as const;
    this.items.set(o.orderId, stubOf(o, key));
    return 'stubbed' as const;
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
const depsOf = (orders: ArchivableOrders, store: ArchiveStore) => ({
  orders,
  store,
  clock,
  retentionDays: 365,
  batchSize: 2,
});

describe('archiveOrders', () => {
  it('archives orders older than the retention (365 days by default) and nothing younger', () => {
    expect(archiveCutoff({ clock, retentionDays: 365 })).toBe('2025-12-07T00:00:00.000Z');
  });

  it('stubs old terminal orders only, each batch in one verified object', async () => {
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
    expect([...table.items.values()].filter((i) => i.archived).map((i) => i.orderId)).toEqual([
      'ord_0001',
      'ord_0002',
      'ord_0005',
    ]);
    expect(table.items.get('ord_0003')).not.toHaveProperty('archived');
    expect(table.items.get('ord_0004')).not.toHaveProperty('archived');
  });

  it('stubs nothing when the object read back does not match its checksum, and says so', async () => {
    const table = new TableInMemory([order(1), order(2)]);
    const store = new BucketInMemory();
    store.corruptNextPut = true;
    await expect(archiveOrders(depsOf(table, store))).rejects.toThrow(/does not match its checksum/);
    expect([...table.items.values()].some((i) => i.archived)).toBe(false);
  });

  it('finishes a batch a killed run left pending with its object written, before anything else', async () => {
    const orders = [order(1), order(2)];
    const table = new TableInMemory(orders);
    const store = new BucketInMemory();
    const { manifest, body } = encodeBatch(orders);
    await store.putPending(manifest);
    await store.putArchive(manifest.key, body);
    // The killed run had stubbed the first order already.
    await table.replaceWithStub(orders[0], manifest.key);
    const report = await archiveOrders(depsOf(table, store));
    expect(report).toMatchObject({ resumed: 1, archived: 1, batches: 0 });
    expect(table.items.get('ord_0002')).toMatchObject({ archived: true, archiveKey: manifest.key });
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

  it('leaves an order that changed since it was archived whole in the table', async () => {
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
    expect(table.items.get('ord_0001')).not.toHaveProperty('archived');
  });
});

describe('the orders stream mapping and archive stubs', () => {
  it('an order replaced by its archive stub loads nothing (no sale, no refund, no failed record)', () => {
    const confirmed = JSON.parse(
      readFileSync(new URL('../../events/dynamodb-stream/order-confirmed.json', import.meta.url), 'utf8'),
    ) as DynamoDBStreamEvent;
    const before = confirmed.Records[0].dynamodb!.NewImage!;
    const stub = stubOf(
      {
        orderId: 'ord_fx_0001',
        userId: 'u',
        status: 'CONFIRMED',
        total: 3499,
        currency: 'GBP',
        createdAt: '2026-11-20T10:00:00.000Z',
        updatedAt: '2026-11-20T10:00:00.000Z',
      },
      'orders/abc.json.gz',
    );
    const record: DynamoDBRecord = {
      ...confirmed.Records[0],
      eventName: 'MODIFY',
      dynamodb: { ...confirmed.Records[0].dynamodb, OldImage: before, NewImage: marshall(stub) as never },
    };
    expect(orderLoadFromStreamRecord(record)).toEqual({ kind: 'NONE', rows: [] });
  });
});
