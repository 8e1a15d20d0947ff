/**
 * Issue 13 item 5, the pure parts: what a replay marks as test data is loaded by no analytics loader (real data,
 * which never carries the mark, still is), and a replayed checkout is reported as it really ended.
 */
import { readFileSync } from 'node:fs';
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import {
  clickstreamLoader,
  inventoryStreamLoader,
  ordersStreamLoader,
  productsStreamLoader,
} from '../../functions/analytics/handlers/stream-loaders';
import { streamEventAsTestData } from '../../lib/ops/replay/test-data';
import { exitCodeOf, sagaOutcome } from '../../lib/ops/replay/saga-outcome';
import { fixturePathOf } from '../../lib/ops/replay/fixture-path';

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../../events/${path}`, import.meta.url), 'utf8')) as T;

const dynamoFixtures = [
  ['order-confirmed', ordersStreamLoader],
  ['order-cancelled-refunded', ordersStreamLoader],
  ['inventory-changes', inventoryStreamLoader],
  ['product-changes', productsStreamLoader],
] as const;

const rowsOf = <R>(loader: { map(record: R): unknown[] }, records: R[]) => records.flatMap((r) => loader.map(r));

describe('test data and the analytics loaders', () => {
  it.each(dynamoFixtures)('%s: loads rows as it is, and none once a replay marks it as test data', (name, loader) => {
    const event = fixture<DynamoDBStreamEvent>(`dynamodb-stream/${name}.json`);
    expect(rowsOf(loader, event.Records).length).toBeGreaterThan(0);
    expect(rowsOf(loader, streamEventAsTestData(event, 'dynamodb').Records)).toEqual([]);
  });

  it('the clickstream batch loads its events as it is, and none once marked as test data', () => {
    const event = fixture<KinesisStreamEvent>('kinesis/clickstream-batch.json');
    expect(rowsOf(clickstreamLoader, event.Records)).toHaveLength(event.Records.length);
    expect(rowsOf(clickstreamLoader, streamEventAsTestData(event, 'kinesis').Records)).toEqual([]);
  });

  it('marking leaves the fixture itself as it was', () => {
    const event = fixture<DynamoDBStreamEvent>('dynamodb-stream/order-confirmed.json');
    const before = JSON.stringify(event);
    streamEventAsTestData(event, 'dynamodb');
    expect(JSON.stringify(event)).toBe(before);
  });

  it('only exactly `testData: true` skips a record: a false, a string or a nested flag is real data and loads', () => {
    const event = fixture<DynamoDBStreamEvent>('dynamodb-stream/order-confirmed.json');
    const withFlag = (flag: Record<string, unknown>) =>
      event.Records.map((r) => ({ ...r, dynamodb: { ...r.dynamodb, NewImage: { ...r.dynamodb!.NewImage, ...flag } } }));
    const loaded = rowsOf(ordersStreamLoader, event.Records).length;
    for (const flag of [
      { testData: { BOOL: false } },
      { testData: { S: 'true' } },
      { attributes: { M: { testData: { BOOL: true } } } },
    ])
      expect(rowsOf(ordersStreamLoader, withFlag(flag) as never).length).toBe(loaded);
    expect(rowsOf(ordersStreamLoader, withFlag({ testData: { BOOL: true } }) as never)).toEqual([]);
  });
});

describe('how a replayed checkout ended', () => {
  it('is CONFIRMED only when the execution succeeded and the stored order is CONFIRMED', () => {
    const report = sagaOutcome({ status: 'SUCCEEDED', output: { orderId: 'o' } }, { status: 'CONFIRMED' });
    expect(report).toEqual({ outcome: 'CONFIRMED', order: { status: 'CONFIRMED' } });
    expect(exitCodeOf(report)).toBe(0);
  });

  it('is COMPENSATED, exit 1, when the saga compensated though the state machine SUCCEEDED', () => {
    // What the visa fixture used to report: the order did not exist, ReserveInventory failed, the saga compensated.
    const report = sagaOutcome(
      {
        status: 'SUCCEEDED',
        output: { error: { Error: 'OrderNotPendingError' }, failureReason: 'INTERNAL', cancellation: {} },
      },
      undefined,
    );
    expect(report).toMatchObject({ outcome: 'COMPENSATED', reason: 'INTERNAL' });
    expect(exitCodeOf(report)).toBe(1);
    expect(
      sagaOutcome({ status: 'SUCCEEDED', output: {} }, { status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' }),
    ).toMatchObject({ outcome: 'COMPENSATED', reason: 'PAYMENT_DECLINED' });
  });

  it('is FAILED, exit 1, when the execution failed or the order was left unconfirmed', () => {
    for (const [execution, order] of [
      [{ status: 'FAILED' }, { status: 'PENDING' }],
      [{ status: 'TIMED_OUT' }, undefined],
      [{ status: 'SUCCEEDED', output: {} }, { status: 'PENDING' }],
      [{ status: 'SUCCEEDED', output: {} }, undefined],
    ] as const) {
      const report = sagaOutcome(execution, order);
      expect(report.outcome).toBe('FAILED');
      expect(exitCodeOf(report)).toBe(1);
    }
  });
});

describe('a fixture’s path', () => {
  it('is taken under the nearest events folder, in this repository or in a copy elsewhere', () => {
    expect(fixturePathOf('/repo/events/sfn/execution/visa.json')).toBe('sfn/execution/visa.json');
    expect(fixturePathOf('/tmp/x/events/kinesis/batch.json')).toBe('kinesis/batch.json');
    expect(fixturePathOf('/tmp/batch.json')).toBeUndefined();
  });
});
