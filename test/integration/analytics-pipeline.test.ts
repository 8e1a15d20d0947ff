/**
 * The analytics pipeline of the running platform: the tables' streams and the clickstream, read by the local
 * event source mappings with the consumers' settings (lib/analytics.ts), loaded into the platform's warehouse.
 * The test reads the warehouse and waits for the pipeline through global-setup's control server.
 */
import { randomUUID } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { WAREHOUSE_VERSION_ID } from '../../functions/analytics/adapters/warehouse-version';
import { streamConsumers } from '../../lib/analytics';
import { dynamoDbJsonClient } from '@ecicomm/local-platform/event-source-mappings/sources';
import { localKinesisClient } from '@ecicomm/local-platform/kinesis';
import { analyticsCaughtUp, analyticsStats, warehouseQuery } from '../support/analytics';
import { api, dynamo, newShopper, platform } from '../support/api';
import { checkout, productWithStock } from '../support/checkout';
import { positionAfter, readStream, type StreamPosition } from '../support/kinesis';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** What other files put on the clickstream before this one started is skipped. */
let start: StreamPosition = {};
const clickstream = () =>
  readStream(platform().kinesisEndpoint, platform().clickstreamStream, platform().region, start);
beforeAll(async () => {
  start = positionAfter(await clickstream());
});
const warehouseVersion = async () =>
  Number(
    (
      await dynamo().send(
        new GetCommand({
          TableName: platform().tableNames.aggregates,
          Key: { id: WAREHOUSE_VERSION_ID },
          ConsistentRead: true,
        }),
      )
    ).Item?.version ?? 0,
  );

describe('the analytics pipeline', () => {
  it('counts an order the saga confirms, with its product and stock, within 30 s, and makes cached answers stale', async () => {
    const shopper = await newShopper();
    const productId = await productWithStock(5, 1234, `Pipeline Lamp ${randomUUID().slice(0, 6)}`);
    const versionBefore = await warehouseVersion();
    const order = await checkout(shopper, { items: [{ productId, quantity: 2 }] });
    expect(order.status).toBe('CONFIRMED');

    // Everything the streams held once the order was confirmed is loaded within the contract's 30 s.
    await analyticsCaughtUp(30_000);
    expect(
      await warehouseQuery(
        'SELECT product_id, customer_id, quantity, unit_price_pence, revenue_pence, currency, kind FROM sales_facts WHERE order_id = $1',
        [order.orderId],
      ),
    ).toEqual([
      {
        product_id: productId,
        customer_id: shopper.userId,
        quantity: 2,
        unit_price_pence: 1234,
        revenue_pence: 2468,
        currency: 'GBP',
        kind: 'SALE',
      },
    ]);
    const [dim] = await warehouseQuery<{ name: string; price_pence: number; status: string }>(
      'SELECT name, price_pence, status FROM dim_products WHERE product_id = $1',
      [productId],
    );
    expect(dim).toMatchObject({ price_pence: 1234, status: 'ACTIVE' });
    expect(dim!.name).toMatch(/^Pipeline Lamp/);
    // Created with 5, reserved 2, sold 2: the latest snapshot is the committed level.
    expect(
      await warehouseQuery(
        'SELECT available, reserved, units_sold, name FROM inventory_turnover_metrics WHERE product_id = $1',
        [productId],
      ),
    ).toEqual([{ available: 3, reserved: 0, units_sold: 2, name: dim!.name }]);
    expect(await warehouseVersion()).toBeGreaterThan(versionBefore);
  });

  it('sends a poison record to the on-failure queue after its retries, while the rest of its batch loads', async () => {
    const consumer = streamConsumers.find((c) => c.id === 'loadOrdersStream')!;
    const queueUrl = platform().analytics.failureQueueUrls[consumer.id]!;
    expect(queueUrl).toContain(consumer.onFailureQueueName);
    const tag = randomUUID().slice(0, 8);
    const confirmed = (orderId: string, productId: string) => ({
      orderId,
      userId: `usr_pipeline_${tag}`,
      status: 'CONFIRMED',
      items: [{ productId, name: productId, quantity: 1, unitPrice: 500, lineTotal: 500 }],
      subtotal: 500,
      discount: 0,
      tax: 0,
      shipping: 0,
      total: 500,
      currency: 'GBP',
      // A day of its own, far from the days other tests report on.
      createdAt: '2020-01-15T12:00:00.000Z',
      updatedAt: '2020-01-15T12:00:00.000Z',
    });
    const good = [`ord_good1_${tag}`, `ord_good2_${tag}`];
    const poison = `ord_poison_${tag}`;
    // A confirmed order without lines is no sale the warehouse can count: its record fails on every attempt.
    const { items: _items, ...poisonItem } = confirmed(poison, 'prd_none');
    const before = (await analyticsStats())[consumer.id]!;
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [confirmed(good[0]!, 'prd_a'), poisonItem, confirmed(good[1]!, 'prd_b')].map((Item) => ({
          Put: { TableName: platform().tableNames.orders, Item },
        })),
      }),
    );
    await analyticsCaughtUp(60_000);

    expect(
      await warehouseQuery(
        'SELECT order_id, revenue_pence FROM sales_facts WHERE order_id IN ($1, $2, $3) ORDER BY order_id',
        [...good, poison],
      ),
    ).toEqual([
      { order_id: good[0], revenue_pence: 500 },
      { order_id: good[1], revenue_pence: 500 },
    ]);
    const after = (await analyticsStats())[consumer.id]!;
    expect(after.destinationMessages - before.destinationMessages).toBe(1);

    const sqs = new SQSClient({ region: platform().region, endpoint: platform().sqsEndpoint, credentials });
    try {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      expect(Messages).toHaveLength(1);
      const failure = JSON.parse(Messages[0]!.Body!);
      expect(failure.requestContext).toMatchObject({
        functionArn: expect.stringMatching(new RegExp(`:function:${consumer.id}$`)),
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: consumer.maximumRetryAttempts + 1,
      });
      // The failure record names where the failed records are; reading there finds the poison first.
      const info = failure.DDBStreamBatchInfo as {
        shardId: string;
        startSequenceNumber: string;
        batchSize: number;
        streamArn: string;
      };
      const call = dynamoDbJsonClient(platform().dynamoEndpoint, platform().region, credentials);
      const { ShardIterator } = await call<{ ShardIterator: string }>('DynamoDBStreams_20120810.GetShardIterator', {
        StreamArn: info.streamArn,
        ShardId: info.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: info.startSequenceNumber,
      });
      const { Records = [] } = await call<{ Records?: { dynamodb: { Keys: { orderId: { S: string } } } }[] }>(
        'DynamoDBStreams_20120810.GetRecords',
        {
          ShardIterator,
          Limit: info.batchSize,
        },
      );
      expect(Records[0]?.dynamodb.Keys.orderId.S).toBe(poison);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0]!.ReceiptHandle! }));
    } finally {
      sqs.destroy();
    }
  });

  it("counts a client's resent batch once when its events carry their own eventId: one user_behavior row per session and eventId", async () => {
    const [sessionId, other] = [randomUUID(), randomUUID()];
    const ids = Array.from({ length: 4 }, () => randomUUID());
    const events = [
      { type: 'page_view', sessionId, eventId: ids[0] },
      { type: 'product_view', sessionId, productId: 'prd_resent', eventId: ids[1] },
      { type: 'add_to_cart', sessionId, productId: 'prd_resent', eventId: ids[2] },
      // Another session may use the same id: it is another event.
      { type: 'page_view', sessionId: other, eventId: ids[0] },
      { type: 'search', sessionId, query: 'lamp', eventId: ids[3] },
    ];
    // The client's first send landed but its answer was lost; it sends the batch again, and once more.
    for (let i = 0; i < 3; i++) {
      const posted = await api('/v1/events', { method: 'POST', body: { events } });
      expect([posted.status, posted.body]).toEqual([202, { accepted: 5 }]);
    }
    expect(
      await clickstream().then((all) => all.filter((r) => r.partitionKey === sessionId || r.partitionKey === other)),
    ).toHaveLength(15);

    await analyticsCaughtUp(30_000);
    const rows = await warehouseQuery<{ event_id: string; session_id: string }>(
      'SELECT event_id, session_id FROM user_behavior WHERE session_id IN ($1, $2) ORDER BY event_id',
      [sessionId, other],
    );
    expect(rows.map((r) => r.event_id).sort()).toEqual(
      [...ids.map((id) => `${sessionId}:${id}`), `${other}:${ids[0]}`].sort(),
    );
  });

  it('lands a clickstream batch in user_behavior once, even when the stream carries it twice with the same event ids', async () => {
    const sessionId = randomUUID();
    const events = [
      { type: 'page_view', sessionId },
      { type: 'product_view', sessionId, productId: 'prd_pipeline' },
      { type: 'add_to_cart', sessionId, productId: 'prd_pipeline' },
      { type: 'purchase', sessionId, productId: 'prd_pipeline', value: 1234 },
      { type: 'search', sessionId, query: 'lamp' },
    ];
    const posted = await api('/v1/events', { method: 'POST', body: { events } });
    expect([posted.status, posted.body]).toEqual([202, { accepted: 5 }]);

    // The same stamped events written again, as a producer's retry of a write that had in fact landed would.
    const onStream = (await clickstream()).filter((r) => r.partitionKey === sessionId);
    expect(onStream).toHaveLength(5);
    const kinesis = localKinesisClient(platform().kinesisEndpoint, platform().region, credentials);
    try {
      const again = await kinesis.send(
        new PutRecordsCommand({
          StreamName: platform().clickstreamStream,
          Records: onStream.map((r) => ({ PartitionKey: r.partitionKey, Data: Buffer.from(JSON.stringify(r.data)) })),
        }),
      );
      expect(again.FailedRecordCount).toBe(0);
    } finally {
      kinesis.destroy();
    }
    expect(await clickstream().then((all) => all.filter((r) => r.partitionKey === sessionId))).toHaveLength(10);

    await analyticsCaughtUp(30_000);
    const rows = await warehouseQuery<{
      event_id: string;
      event_type: string;
      product_id: string | null;
      value_pence: number | null;
    }>(
      'SELECT event_id, event_type, product_id, value_pence FROM user_behavior WHERE session_id = $1 ORDER BY event_ts, event_type',
      [sessionId],
    );
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(onStream.map((r) => r.data.eventId)));
    expect(rows.find((r) => r.event_type === 'purchase')).toMatchObject({
      product_id: 'prd_pipeline',
      value_pence: 1234,
    });
  });
});
