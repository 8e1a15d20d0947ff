/**
 * The inventory and products stream loaders, the warehouse version bump after a batch, and the local warehouse's
 * engine behind the Redshift Data API emulator: persisted under its directory's single-writer lock, on a thread.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseVersion } from '../../functions/analytics/adapters/warehouse-version';
import {
  makeInventoryStreamHandler,
  makeOrdersStreamHandler,
  makeProductsStreamHandler,
} from '../../functions/analytics/handlers/stream-loaders';
import { inventorySnapshotFromStreamRecord } from '../../functions/analytics/adapters/inventory-stream-records';
import { productDimFromStreamRecord } from '../../functions/analytics/adapters/products-stream-records';
import { warehouseFromEnv } from '../../functions/analytics/deps';
import { LOAD_LIMITS } from '../../functions/analytics/ports';
import { PGLITE_LOAD_LIMITS, PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import { startTestDataApi } from '../support/redshift-data';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../events/dynamodb-stream/${name}.json`, import.meta.url), 'utf8'),
  ) as DynamoDBStreamEvent;
const context = {
  functionName: 'analytics-loader',
  awsRequestId: 'test-request',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:test',
} as Context;
const pad = (seq: string) => seq.padStart(40, '0');

let warehouse: PgliteWarehouse;
beforeAll(async () => {
  warehouse = await PgliteWarehouse.open();
  await warehouse.migrate();
}, 30_000);
afterAll(async () => {
  await warehouse?.close();
});

/** A version counter that records its bumps, and can be made to fail. */
function countingVersion(fail = false): WarehouseVersion & { bumps: number } {
  const version = {
    bumps: 0,
    read: async () => version.bumps,
    bump: async () => {
      if (fail) throw new Error('aggregates table unavailable');
      version.bumps++;
    },
  };
  return version;
}

describe('inventory stream mapping', () => {
  it('turns each INSERT and MODIFY into a snapshot keyed by product and padded sequence number, and a REMOVE into nothing', () => {
    const [insert, reserve, commit, remove] = fixture('inventory-changes').Records;
    expect(inventorySnapshotFromStreamRecord(insert!)).toEqual([
      {
        eventId: `prd_fx_mug#${pad('310000000000000000001')}`,
        productId: 'prd_fx_mug',
        available: 24,
        reserved: 0,
        snapshotTs: '2026-11-20T10:00:00.000Z',
      },
    ]);
    expect(inventorySnapshotFromStreamRecord(reserve!)).toMatchObject([
      { available: 22, reserved: 2, snapshotTs: '2026-11-20T10:01:00.000Z' },
    ]);
    // `sold` and other attributes are not part of a snapshot.
    expect(inventorySnapshotFromStreamRecord(commit!)).toEqual([
      {
        eventId: `prd_fx_mug#${pad('310000000000000000010')}`,
        productId: 'prd_fx_mug',
        available: 22,
        reserved: 0,
        snapshotTs: '2026-11-20T10:01:00.000Z',
      },
    ]);
    expect(inventorySnapshotFromStreamRecord(remove!)).toEqual([]);
  });

  it('orders event ids like the changes, whatever the sequence numbers’ lengths', () => {
    const [insert] = fixture('inventory-changes').Records;
    const at = (seq: string) =>
      inventorySnapshotFromStreamRecord({ ...insert!, dynamodb: { ...insert!.dynamodb, SequenceNumber: seq } })[0]!
        .eventId;
    expect(at('9') < at('10')).toBe(true);
    expect(at('99999999999999999999') < at('100000000000000000000')).toBe(true);
  });

  it('rejects a record that is not a stock level, or lacks what a snapshot needs', () => {
    const [insert] = fixture('inventory-changes').Records;
    const broken = (change: (r: DynamoDBRecord) => void) => {
      const r = structuredClone(insert!);
      change(r);
      return () => inventorySnapshotFromStreamRecord(r);
    };
    expect(broken((r) => (r.dynamodb!.NewImage!.available = { N: '-1' }))).toThrow(/not a stock level.*available/);
    expect(broken((r) => (r.dynamodb!.NewImage!.available = { N: '2.5' }))).toThrow(/not a stock level/);
    expect(broken((r) => delete r.dynamodb!.NewImage!.productId)).toThrow(/productId/);
    expect(broken((r) => delete r.dynamodb!.NewImage)).toThrow(/no NewImage/);
    expect(broken((r) => delete r.dynamodb!.ApproximateCreationDateTime)).toThrow(/ApproximateCreationDateTime/);
    expect(broken((r) => (r.dynamodb!.SequenceNumber = 'abc'))).toThrow(/SequenceNumber/);
    expect(broken((r) => ((r as { eventName: string }).eventName = 'UPSERT'))).toThrow(/unknown eventName/);
  });
});

describe('products stream mapping', () => {
  it('maps the stored product (with its index keys and empty maps) to its dimension row, price in pence', () => {
    const [insert, repriced, retired] = fixture('product-changes').Records;
    expect(productDimFromStreamRecord(insert!)).toEqual([
      {
        productId: 'prd_fx_mug',
        name: 'Enamel mug',
        category: 'kitchen-dining',
        brand: 'Fixture Co',
        pricePence: 1250,
        currency: 'GBP',
        status: 'ACTIVE',
        updatedTs: '2026-11-01T09:00:00.000Z',
      },
    ]);
    expect(productDimFromStreamRecord(repriced!)).toMatchObject([
      { pricePence: 1400, updatedTs: '2026-11-21T09:00:00.000Z' },
    ]);
    expect(productDimFromStreamRecord(retired!)).toMatchObject([{ status: 'INACTIVE' }]);
    expect(productDimFromStreamRecord({ ...retired!, eventName: 'REMOVE' })).toEqual([]);
  });

  it('rejects an image that is not a product, or that would not fit the dimension’s columns', () => {
    const [insert] = fixture('product-changes').Records;
    const broken = (change: (r: DynamoDBRecord) => void) => {
      const r = structuredClone(insert!);
      change(r);
      return () => productDimFromStreamRecord(r);
    };
    expect(broken((r) => (r.dynamodb!.NewImage!.price = { N: '12.5' }))).toThrow(/not a product.*price/);
    expect(broken((r) => (r.dynamodb!.NewImage!.name = { S: 'x'.repeat(257) }))).toThrow(/not a product.*name/);
    expect(broken((r) => (r.dynamodb!.NewImage!.updatedAt = { S: 'yesterday' }))).toThrow(/updatedAt/);
    expect(broken((r) => delete r.dynamodb!.NewImage!.category)).toThrow(/category/);
  });
});

describe('inventory and products loaders', () => {
  const turnover = async (productId: string) =>
    (
      await warehouse.query(
        'SELECT product_id, name, category, available, reserved, last_snapshot_ts FROM inventory_turnover_metrics WHERE product_id = $1',
        [productId],
      )
    )[0];

  it('load snapshots once, and the latest of a second’s changes is the one its sequence number says', async () => {
    const version = countingVersion();
    const handler = makeInventoryStreamHandler({ warehouse, version });
    expect(await handler(fixture('inventory-changes'), context)).toEqual({ batchItemFailures: [] });
    expect(await handler(fixture('inventory-changes'), context)).toEqual({ batchItemFailures: [] });
    const snapshots = await warehouse.query(
      'SELECT available, reserved FROM inventory_snapshots WHERE product_id = $1 ORDER BY event_id',
      ['prd_fx_mug'],
    );
    expect(snapshots).toEqual([
      { available: 24, reserved: 0 },
      { available: 22, reserved: 2 },
      { available: 22, reserved: 0 },
    ]);
    // The reservation and its commit share 10:01:00; the commit came later.
    expect(await turnover('prd_fx_mug')).toMatchObject({
      available: 22,
      reserved: 0,
      last_snapshot_ts: '2026-11-20 10:01:00',
    });
  });

  it('keep the newest image of a product, even when an older one is delivered again later', async () => {
    const handler = makeProductsStreamHandler({ warehouse });
    const [insert] = fixture('product-changes').Records;
    expect(await handler(fixture('product-changes'), context)).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [insert!] }, context)).toEqual({ batchItemFailures: [] });
    expect(
      await warehouse.query(
        'SELECT name, category, brand, price_pence, currency, status, updated_ts FROM dim_products WHERE product_id = $1',
        ['prd_fx_mug'],
      ),
    ).toEqual([
      {
        name: 'Enamel mug',
        category: 'kitchen-dining',
        brand: 'Fixture Co',
        price_pence: 1400,
        currency: 'GBP',
        status: 'INACTIVE',
        updated_ts: '2026-11-22 09:00:00',
      },
    ]);
    // The views join the dimension: the snapshots loaded above now carry the product's name.
    expect(await turnover('prd_fx_mug')).toMatchObject({ name: 'Enamel mug', category: 'kitchen-dining' });
  });

  it('report exactly the malformed record and load the rest', async () => {
    const event = fixture('product-changes');
    const bad = structuredClone(event.Records[0]!);
    bad.dynamodb!.Keys = { id: { S: 'prd_fx_bad' } };
    bad.dynamodb!.NewImage = { ...bad.dynamodb!.NewImage!, id: { S: 'prd_fx_bad' }, price: { S: 'free' } };
    bad.dynamodb!.SequenceNumber = '320000000000000000099';
    const good = structuredClone(event.Records[0]!);
    good.dynamodb!.NewImage = { ...good.dynamodb!.NewImage!, id: { S: 'prd_fx_tea' }, name: { S: 'Loose leaf tea' } };
    good.dynamodb!.SequenceNumber = '320000000000000000100';
    expect(await makeProductsStreamHandler({ warehouse })({ Records: [bad, good] }, context)).toEqual({
      batchItemFailures: [{ itemIdentifier: '320000000000000000099' }],
    });
    expect(
      await warehouse.query('SELECT product_id FROM dim_products WHERE product_id IN ($1, $2)', [
        'prd_fx_bad',
        'prd_fx_tea',
      ]),
    ).toEqual([{ product_id: 'prd_fx_tea' }]);
  });
});

describe('warehouse version', () => {
  const pendingOnly = () => fixture('order-pending-insert');

  it('is bumped once per batch that loads rows, and not for a batch that loads none', async () => {
    const version = countingVersion();
    await makeInventoryStreamHandler({ warehouse, version })(
      { Records: [fixture('inventory-changes').Records[3]!] },
      context,
    ); // a REMOVE
    await makeOrdersStreamHandler({ warehouse, version })(pendingOnly(), context);
    expect(version.bumps).toBe(0);
    await makeProductsStreamHandler({ warehouse, version })(fixture('product-changes'), context);
    expect(version.bumps).toBe(1);
  });

  it('is bumped again when a batch is redelivered, since the attempt that loaded it may have failed before its bump', async () => {
    const version = countingVersion();
    const handler = makeOrdersStreamHandler({ warehouse, version });
    const event = JSON.parse(
      JSON.stringify(fixture('order-confirmed')).replaceAll('ord_fx_000', 'ord_ver_000'),
    ) as DynamoDBStreamEvent;
    await handler(event, context);
    await handler(event, context);
    expect(version.bumps).toBe(2);
  });

  it('fails the batch when the bump fails, after the rows are loaded, so that the redelivery bumps it', async () => {
    const event = JSON.parse(
      JSON.stringify(fixture('order-confirmed')).replaceAll('ord_fx_000', 'ord_bump_000'),
    ) as DynamoDBStreamEvent;
    await expect(
      makeOrdersStreamHandler({ warehouse, version: countingVersion(true) })(event, context),
    ).rejects.toThrow(/version was not bumped/);
    expect(
      await warehouse.query('SELECT event_id FROM sales_facts WHERE order_id = $1', ['ord_bump_0001']),
    ).toHaveLength(2);
    const recovered = countingVersion();
    expect(await makeOrdersStreamHandler({ warehouse, version: recovered })(event, context)).toEqual({
      batchItemFailures: [],
    });
    expect(recovered.bumps).toBe(1);
  });

  it('is not bumped when every record fails', async () => {
    const version = countingVersion();
    const event = structuredClone(fixture('product-changes'));
    for (const r of event.Records) r.dynamodb!.NewImage!.price = { S: 'free' };
    await expect(makeProductsStreamHandler({ warehouse, version })(event, context)).rejects.toThrow(
      /All records failed/,
    );
    expect(version.bumps).toBe(0);
  });
});

describe('the local warehouse’s engine, behind the Redshift Data API emulator', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warehouse-engine-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const snapshot =
    "INSERT INTO inventory_snapshots (event_id, product_id, available, reserved, snapshot_ts, snapshot_date) VALUES ('e1', 'p1', 1, 0, '2026-11-20 10:00:00', '2026-11-20')";

  it(
    'keeps its data in its directory under a lock while it runs, and finds it again after a restart',
    { timeout: 60_000 },
    async () => {
      const dataDir = path.join(dir, 'warehouse');
      const first = await startTestDataApi({ dataDir });
      try {
        const loader = first.warehouse('owner');
        // Migrated concurrently by two loaders (cold starts on a fresh warehouse): both succeed, each version once.
        await Promise.all([loader.migrate(), first.warehouse('owner').migrate()]);
        await loader.execute(snapshot);
        expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
      } finally {
        await first.stop();
      }
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
      const again = await startTestDataApi({ dataDir });
      try {
        expect(await again.warehouse('reader').query('SELECT event_id FROM inventory_snapshots')).toEqual([
          { event_id: 'e1' },
        ]);
        const [{ n, distinct_versions }] = (await again
          .warehouse('owner')
          .query<{ n: number; distinct_versions: number }>(
            'SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS distinct_versions FROM schema_migrations',
          )) as [{ n: number; distinct_versions: number }];
        expect(n).toBeGreaterThan(0);
        expect(n).toBe(distinct_versions);
      } finally {
        await again.stop();
      }
    },
  );

  it(
    'refuses a directory another live process has open, saying why, and takes over the lock of a dead one',
    { timeout: 60_000 },
    async () => {
      const dataDir = path.join(dir, 'locked');
      writeFileSync(`${dataDir}.lock`, String(process.ppid));
      const refused = await startTestDataApi({ dataDir });
      try {
        await expect(refused.warehouse('owner').query('SELECT 1')).rejects.toThrow(
          new RegExp(`open in process ${process.ppid}`),
        );
      } finally {
        await refused.stop();
      }
      writeFileSync(`${dataDir}.lock`, '2147483646'); // no such process
      const taken = await startTestDataApi({ dataDir });
      try {
        expect(await taken.warehouse('owner').query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        // Nothing migrates it but its owner: no schema of anyone's making.
        expect(
          await taken
            .warehouse('owner')
            .query("SELECT table_name FROM information_schema.tables WHERE table_name = 'sales_facts'"),
        ).toEqual([]);
      } finally {
        await taken.stop();
      }
    },
  );

  it('keeps an engine without a directory in memory only', { timeout: 60_000 }, async () => {
    const a = await startTestDataApi();
    try {
      await a.warehouse('owner').execute('CREATE TABLE kept (id INTEGER)');
      expect(
        await a.warehouse('owner').query("SELECT table_name FROM information_schema.tables WHERE table_name = 'kept'"),
      ).toEqual([{ table_name: 'kept' }]);
    } finally {
      await a.stop();
    }
    const b = await startTestDataApi();
    try {
      expect(
        await b.warehouse('owner').query("SELECT table_name FROM information_schema.tables WHERE table_name = 'kept'"),
      ).toEqual([]);
    } finally {
      await b.stop();
    }
  });

  it('sizes the functions’ loads for the Data API (as many rows as 100 KB of SQL hold); the in-process PGlite of the tests has no SQL size limit', async () => {
    const cloud = warehouseFromEnv({ REDSHIFT_WORKGROUP: 'wg', REDSHIFT_DATABASE: 'analytics' });
    expect(cloud.loadLimits).toEqual(LOAD_LIMITS.redshift);
    expect(LOAD_LIMITS.redshift.maxSqlBytes).toBe(100_000);
    expect(PGLITE_LOAD_LIMITS).not.toHaveProperty('maxSqlBytes');
    await cloud.close();
  });
});

describe('the emulator’s engine on a worker thread', () => {
  it(
    'leaves this thread free while the engine starts, and answers through the Data API in the shapes of the in-process adapter',
    { timeout: 60_000 },
    async () => {
      const api = await startTestDataApi();
      try {
        const threaded = api.warehouse('owner');
        let ticks = 0;
        const timer = setInterval(() => ticks++, 20);
        await threaded.query('SELECT 1').finally(() => clearInterval(timer));
        // In-process, the engine's start holds the thread for its whole duration: no timer could fire.
        expect(ticks).toBeGreaterThan(0);
        await threaded.migrate();
        const probe =
          "SELECT CAST(12345678901 AS BIGINT) AS big, CAST('2026-11-20' AS DATE) AS d, CAST('2026-11-20 10:00:00.5' AS TIMESTAMP) AS ts, CAST(1.5 AS NUMERIC) AS n, 'x' AS s";
        const expected = await warehouse.query(probe);
        expect(await threaded.query(probe)).toEqual(expected);
        expect(expected).toEqual([{ big: 12345678901, d: '2026-11-20', ts: '2026-11-20 10:00:00.5', n: 1.5, s: 'x' }]);
        // A batch is one transaction: a failing statement undoes the ones before it.
        const insert = {
          sql: "INSERT INTO dim_products (product_id, name, category, brand, price_pence, currency, status, updated_ts) VALUES ($1, 'n', 'c', 'b', 1, 'GBP', 'ACTIVE', '2026-11-20 10:00:00')",
          params: ['p1'],
        };
        await expect(threaded.batch([insert, { sql: 'SELECT * FROM no_such_table' }])).rejects.toThrow(/no_such_table/);
        expect(await threaded.query('SELECT product_id FROM dim_products')).toEqual([]);
        expect(await threaded.batch([insert])).toEqual([{ rowsAffected: 1 }]);
        expect(await threaded.execute("UPDATE dim_products SET name = 'm' WHERE product_id = $1", ['p1'])).toEqual({
          rowsAffected: 1,
        });
      } finally {
        await api.stop();
      }
    },
  );
});
