import { readFileSync } from 'node:fs';
import type { Context, DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { userBehaviorFromKinesisRecord } from '../../functions/analytics/adapters/clickstream-records';
import { makeClickstreamHandler, makeOrdersStreamHandler } from '../../functions/analytics/handlers/stream-loaders';
import { orderLoadFromStreamRecord } from '../../functions/analytics/adapters/orders-stream-records';
import { lazyWarehouse } from '../../functions/analytics/deps';
import { PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import type { Statement, Warehouse } from '../../functions/analytics/ports';
import { recordingMetrics } from '../support/recording-metrics';

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../../events/${path}`, import.meta.url), 'utf8')) as T;
const streamFixture = (name: string) => fixture<DynamoDBStreamEvent>(`dynamodb-stream/${name}.json`);
const clickFixture = () => fixture<KinesisStreamEvent>('kinesis/clickstream-batch.json');
const context = {
  functionName: 'analytics-loader',
  awsRequestId: 'test-request',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:test',
} as Context;

let warehouse: PgliteWarehouse;
beforeAll(async () => {
  warehouse = await PgliteWarehouse.open();
  await warehouse.migrate();
}, 30_000);
afterAll(async () => {
  await warehouse?.close();
});

const daily = async (day: string) =>
  (
    await warehouse.query<{ revenue_pence: number; orders: number; refunded_orders: number; units_sold: number }>(
      'SELECT revenue_pence, orders, refunded_orders, units_sold FROM daily_sales_summary WHERE sales_date = $1',
      [day],
    )
  )[0];
const factsOf = (orderId: string) =>
  warehouse.query<{ event_id: string; kind: string; quantity: number; revenue_pence: number; order_date: string }>(
    'SELECT event_id, kind, quantity, revenue_pence, order_date FROM sales_facts WHERE order_id = $1 ORDER BY event_id',
    [orderId],
  );

describe('order stream mapping', () => {
  it('a confirmation (MODIFY PENDING → CONFIRMED) and a replayed INSERT already CONFIRMED are sales', () => {
    const [modify, insert] = streamFixture('order-confirmed').Records;
    const sale = orderLoadFromStreamRecord(modify);
    expect(sale.kind).toBe('SALE');
    expect(sale.rows.map((r) => [r.eventId, r.quantity, r.revenuePence, r.orderTs])).toEqual([
      ['ord_fx_0001#1#SALE', 2, 2500, '2026-11-20T10:00:00.000Z'],
      ['ord_fx_0001#2#SALE', 1, 999, '2026-11-20T10:00:00.000Z'],
    ]);
    expect(orderLoadFromStreamRecord(insert)).toMatchObject({
      kind: 'SALE',
      rows: [{ eventId: 'ord_fx_0002#1#SALE', customerId: 'guest' }],
    });
  });

  it('CONFIRMED → CANCELLED with the payment refunded is a refund, dated when it was cancelled', () => {
    const refund = orderLoadFromStreamRecord(streamFixture('order-cancelled-refunded').Records[0]);
    expect(refund.kind).toBe('REFUND');
    expect(refund.rows.map((r) => [r.eventId, r.quantity, r.revenuePence, r.orderTs])).toEqual([
      ['ord_fx_0001#1#REFUND', -2, -2500, '2026-11-21T09:00:00.000Z'],
      ['ord_fx_0001#2#REFUND', -1, -999, '2026-11-21T09:00:00.000Z'],
    ]);
  });

  it('loads nothing for a pending insert, a no-status-change update, a never-confirmed cancellation or a REMOVE', () => {
    expect(orderLoadFromStreamRecord(streamFixture('order-pending-insert').Records[0])).toEqual({
      kind: 'NONE',
      rows: [],
    });
    const confirmed = streamFixture('order-confirmed').Records[0];
    const sameStatus = structuredClone(confirmed);
    sameStatus.dynamodb!.OldImage = sameStatus.dynamodb!.NewImage;
    expect(orderLoadFromStreamRecord(sameStatus).kind).toBe('NONE');
    // PENDING → CANCELLED after a charge was compensated: no sale was counted, so nothing to refund.
    const pending = streamFixture('order-pending-insert').Records[0];
    const neverConfirmed = structuredClone(pending);
    neverConfirmed.eventName = 'MODIFY';
    neverConfirmed.dynamodb!.OldImage = pending.dynamodb!.NewImage;
    neverConfirmed.dynamodb!.NewImage = {
      ...pending.dynamodb!.NewImage!,
      status: { S: 'CANCELLED' },
      payment: { M: { status: { S: 'REFUNDED' } } },
    };
    expect(orderLoadFromStreamRecord(neverConfirmed).kind).toBe('NONE');
    expect(orderLoadFromStreamRecord({ ...confirmed, eventName: 'REMOVE' }).kind).toBe('NONE');
  });

  it('rejects a record whose image is not an order, or that lacks the images', () => {
    const bad = structuredClone(streamFixture('order-confirmed').Records[0]);
    delete bad.dynamodb!.NewImage!.items;
    expect(() => orderLoadFromStreamRecord(bad)).toThrow(/NewImage is not an order.*items/);
    const keysOnly = structuredClone(streamFixture('order-confirmed').Records[0]);
    delete keysOnly.dynamodb!.OldImage;
    expect(() => orderLoadFromStreamRecord(keysOnly)).toThrow(/OldImage/);
  });
});

describe('clickstream mapping', () => {
  it('decodes the base64 JSON a record carries into a row keyed by the event id', () => {
    const record = clickFixture().Records[3];
    expect(userBehaviorFromKinesisRecord(record)).toEqual({
      eventId: '7d5c1f6e-0001-4c1a-9d1e-000000000004',
      sessionId: 'sess_fx_a1b2c3d4',
      userId: null,
      eventType: 'add_to_cart',
      productId: 'prd_fx_mug',
      query: null,
      valuePence: 1250,
      resultCount: null,
      eventTs: '2026-11-23T09:01:00.000Z',
    });
  });
  it('keeps how many products a search found, as the search route stamps it on its own events', () => {
    const record = structuredClone(clickFixture().Records[0]);
    const event = {
      eventId: 'srch-0001',
      type: 'search',
      sessionId: 'sess_fx_a1b2c3d4',
      query: 'headphnes',
      results: 0,
      at: '2026-11-23T09:02:00.000Z',
      receivedAt: '2026-11-23T09:02:00.000Z',
    };
    record.kinesis.data = Buffer.from(JSON.stringify(event)).toString('base64');
    expect(userBehaviorFromKinesisRecord(record)).toMatchObject({
      eventType: 'search',
      query: 'headphnes',
      resultCount: 0,
    });
    record.kinesis.data = Buffer.from(JSON.stringify({ ...event, results: -1 })).toString('base64');
    expect(() => userBehaviorFromKinesisRecord(record)).toThrow(/results/);
  });
  it('rejects data that is not a clickstream event', () => {
    const record = structuredClone(clickFixture().Records[0]);
    record.kinesis.data = Buffer.from('{"type":"teleport"}').toString('base64');
    expect(() => userBehaviorFromKinesisRecord(record)).toThrow(/not a clickstream event/);
    record.kinesis.data = Buffer.from('not json').toString('base64');
    expect(() => userBehaviorFromKinesisRecord(record)).toThrow(/not base64 JSON/);
  });
});

describe('orders stream loader', () => {
  it('loads the fixtures: sales on confirmation, nothing for a pending order', async () => {
    const handler = makeOrdersStreamHandler({ warehouse });
    expect(await handler(streamFixture('order-confirmed'), context)).toEqual({ batchItemFailures: [] });
    expect(await handler(streamFixture('order-pending-insert'), context)).toEqual({ batchItemFailures: [] });
    expect(await factsOf('ord_fx_0001')).toHaveLength(2);
    expect(await factsOf('ord_fx_0002')).toEqual([
      { event_id: 'ord_fx_0002#1#SALE', kind: 'SALE', quantity: 1, revenue_pence: 1250, order_date: '2026-11-20' },
    ]);
    expect(await factsOf('ord_fx_0003')).toEqual([]);
    expect(await daily('2026-11-20')).toMatchObject({ revenue_pence: 2500 + 999 + 1250, orders: 2, units_sold: 4 });
  });

  it('counts a redelivered batch once', async () => {
    const handler = makeOrdersStreamHandler({ warehouse });
    const before = await daily('2026-11-20');
    expect(await handler(streamFixture('order-confirmed'), context)).toEqual({ batchItemFailures: [] });
    expect(await handler(streamFixture('order-confirmed'), context)).toEqual({ batchItemFailures: [] });
    expect(await daily('2026-11-20')).toEqual(before);
  });

  /** The confirmed fixture moved to new orders on another day, so this test's rows are its own. */
  const freshConfirmed = (tag: string, day: string): DynamoDBStreamEvent =>
    JSON.parse(
      JSON.stringify(streamFixture('order-confirmed'))
        .replaceAll('ord_fx_000', `ord_${tag}_000`)
        .replaceAll('2026-11-20', day),
    );

  it('counts the rows new to the warehouse as WarehouseRowsLoaded, and none for a redelivery', async () => {
    const metrics = recordingMetrics();
    const handler = makeOrdersStreamHandler({ warehouse, metrics });
    const event = freshConfirmed('metric', '2026-11-26');
    await handler(event, context);
    await handler(event, context);
    expect(metrics.recorded).toEqual([{ metric: 'warehouseRowsLoaded', value: 3 }]);
  });

  it('a refund counts negative revenue on the day of the refund', async () => {
    const handler = makeOrdersStreamHandler({ warehouse });
    expect(await handler(streamFixture('order-cancelled-refunded'), context)).toEqual({ batchItemFailures: [] });
    expect(await handler(streamFixture('order-cancelled-refunded'), context)).toEqual({ batchItemFailures: [] });
    expect(await daily('2026-11-21')).toMatchObject({ revenue_pence: -(2500 + 999), orders: 0, refunded_orders: 1 });
    expect(await daily('2026-11-20')).toMatchObject({ revenue_pence: 2500 + 999 + 1250 });
  });

  it('reports exactly the malformed record in batchItemFailures and loads the rest', async () => {
    const event = freshConfirmed('bad', '2026-11-24');
    const malformed = structuredClone(event.Records[0]);
    malformed.eventID = 'ffffffffffffffffffffffffffffffff';
    malformed.dynamodb!.SequenceNumber = '100000000000000000999';
    malformed.dynamodb!.NewImage!.status = { S: 'SHIPPED' };
    event.Records.splice(1, 0, malformed);
    const handler = makeOrdersStreamHandler({ warehouse });
    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: '100000000000000000999' }] });
    expect((await factsOf('ord_bad_0001')).map((f) => f.event_id)).toEqual([
      'ord_bad_0001#1#SALE',
      'ord_bad_0001#2#SALE',
    ]);
    expect(await factsOf('ord_bad_0002')).toHaveLength(1);
  });

  /** The test warehouse, refusing any transaction that touches `orderId` (as a constraint or type error would); counts its loads. */
  const refusingWarehouse = (orderId: string): Warehouse & { loads(): number } => {
    let loads = 0;
    return {
      migrate: () => warehouse.migrate(),
      execute: (sql, params) => warehouse.execute(sql, params),
      query: (sql, params) => warehouse.query(sql, params),
      close: async () => {},
      batch: async (statements: readonly Statement[]) => {
        loads++;
        if (statements.some((s) => (s.params ?? []).includes(orderId))) throw new Error('refused');
        return warehouse.batch(statements);
      },
      loads: () => loads,
    };
  };

  it('when the batch load fails, loads each half on its own and reports only the one record the warehouse refuses', async () => {
    const event = freshConfirmed('poison', '2026-11-25');
    const refusing = refusingWarehouse('ord_poison_0002');
    const handler = makeOrdersStreamHandler({ warehouse: refusing });
    expect(await handler(event, context)).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[1].dynamodb!.SequenceNumber }],
    });
    expect(refusing.loads()).toBe(3); // the whole batch, then each half: here each record on its own
    expect(await factsOf('ord_poison_0001')).toHaveLength(2);
    expect(await factsOf('ord_poison_0002')).toEqual([]);
  });

  it('finds one refused record among 64 in 13 loads, not one load per record, and loads all the others', async () => {
    const event: DynamoDBStreamEvent = {
      Records: Array.from({ length: 32 }, (_, i) => freshConfirmed(`halve${i}`, '2026-11-26').Records).flat(),
    };
    event.Records.forEach((r, i) => (r.dynamodb!.SequenceNumber = String(10n ** 20n + BigInt(i))));
    const poison = 'ord_halve13_0002';
    const refusing = refusingWarehouse(poison);
    const poisoned = event.Records.find((r) => r.dynamodb!.NewImage!.orderId.S === poison)!;
    expect(await makeOrdersStreamHandler({ warehouse: refusing })(event, context)).toEqual({
      batchItemFailures: [{ itemIdentifier: poisoned.dynamodb!.SequenceNumber }],
    });
    // The whole batch, then two halves at each of six levels (64 → 1): 1 + 2 × 6.
    expect(refusing.loads()).toBe(13);
    const [{ n }] = await warehouse.query<{ n: number }>(
      "SELECT CAST(COUNT(DISTINCT order_id) AS BIGINT) AS n FROM sales_facts WHERE order_id LIKE 'ord_halve%'",
    );
    expect(n).toBe(63);
    expect(await factsOf(poison)).toEqual([]);
  });

  it('throws when every record fails, so the event source mapping retries and bisects', async () => {
    const event = structuredClone(streamFixture('order-pending-insert'));
    event.Records[0].dynamodb!.NewImage!.status = { S: 'LOST' };
    await expect(makeOrdersStreamHandler({ warehouse })(event, context)).rejects.toThrow(/All records failed/);
  });
});

describe('clickstream loader', () => {
  it('lands the events in user_behavior once, and the funnel view counts them (its purchase event is not a purchase)', async () => {
    const handler = makeClickstreamHandler({ warehouse });
    expect(await handler(clickFixture(), context)).toEqual({ batchItemFailures: [] });
    expect(await handler(clickFixture(), context)).toEqual({ batchItemFailures: [] });
    const [{ n }] = await warehouse.query<{ n: number }>(
      "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM user_behavior WHERE event_date = '2026-11-23'",
    );
    expect(n).toBe(8);
    const [funnel] = await warehouse.query('SELECT * FROM customer_behavior_analysis WHERE event_date = $1', [
      '2026-11-23',
    ]);
    expect(funnel).toMatchObject({
      sessions: 3,
      page_views: 1,
      searches: 1,
      product_views: 3,
      add_to_carts: 2,
      // Purchases are orders (none this day): the fixture's purchase event, value and all, counts for nothing.
      purchases: 0,
      sessions_with_cart: 2,
      sessions_with_purchase: 0,
      purchase_value_pence: 0,
      conversion_rate: 0,
    });
  });

  it('reports exactly the malformed record and loads the rest', async () => {
    const event = clickFixture();
    for (const r of event.Records) {
      const e = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8'));
      r.kinesis.data = Buffer.from(
        JSON.stringify({ ...e, eventId: `${e.eventId}-b`, at: e.at.replace('2026-11-23', '2026-11-24') }),
      ).toString('base64');
    }
    event.Records[2].kinesis.data = Buffer.from('{"broken":').toString('base64');
    const handler = makeClickstreamHandler({ warehouse });
    expect(await handler(event, context)).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[2].kinesis.sequenceNumber }],
    });
    const [{ n }] = await warehouse.query<{ n: number }>(
      "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM user_behavior WHERE event_date = '2026-11-24'",
    );
    expect(n).toBe(7);
  });
});

describe('live wiring', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('opens and migrates the warehouse once, on first use, and retries a failed opening', async () => {
    let opens = 0;
    let migrations = 0;
    const fake = {
      migrate: async () => (migrations++, { applied: [], alreadyApplied: [] }),
      execute: async () => ({ rowsAffected: 0 }),
      query: async () => [],
      batch: async () => [],
      close: async () => {},
    } as Warehouse;
    const lazy = lazyWarehouse(async () => {
      if (++opens === 1) throw new Error('not yet');
      return fake;
    });
    await expect(lazy.query('SELECT 1')).rejects.toThrow('not yet');
    await Promise.all([lazy.query('SELECT 1'), lazy.batch([]), lazy.execute('SELECT 1')]);
    expect([opens, migrations]).toEqual([2, 1]);
  });

  const modules = {
    'load-orders-stream': () => import('../../functions/analytics/handlers/load-orders-stream'),
    'load-clickstream': () => import('../../functions/analytics/handlers/load-clickstream'),
    'load-inventory-stream': () => import('../../functions/analytics/handlers/load-inventory-stream'),
    'load-products-stream': () => import('../../functions/analytics/handlers/load-products-stream'),
  };
  it.each(Object.keys(modules) as (keyof typeof modules)[])(
    '%s loads with a warehouse named by the environment, opening nothing yet',
    async (name) => {
      const base = { PATH: saved.PATH, AWS_REGION: 'eu-west-2', AGGREGATES_TABLE: 'ecicomm-aggregates' };
      for (const env of [
        { REDSHIFT_WORKGROUP: 'ecicomm', REDSHIFT_DATABASE: 'analytics' },
        {
          REDSHIFT_WORKGROUP: 'ecicomm',
          REDSHIFT_DATABASE: 'analytics',
          REDSHIFT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:admin',
        },
      ]) {
        jest.resetModules();
        process.env = { ...base, ...env };
        const module = await modules[name]();
        expect(typeof module.handler).toBe('function');
      }
      jest.resetModules();
      process.env = { ...base, REDSHIFT_WORKGROUP: 'ecicomm' };
      await expect(modules[name]()).rejects.toThrow(/Invalid environment: REDSHIFT_DATABASE/);
      // Without the version counter cached answers would never go stale: a cold-start failure, not a silent one.
      jest.resetModules();
      process.env = {
        PATH: saved.PATH,
        AWS_REGION: 'eu-west-2',
        REDSHIFT_WORKGROUP: 'ecicomm',
        REDSHIFT_DATABASE: 'analytics',
      };
      await expect(modules[name]()).rejects.toThrow(/Invalid environment: AGGREGATES_TABLE/);
    },
  );
});
