/**
 * The history replay's writes (lib/local/history/replay.ts) against fake DynamoDB and Kinesis clients:
 * request sizes within the services' limits, what they leave unprocessed sent again, every order and
 * event written once, the rate limit, and clear failures. The integration test replays into the real
 * local platform.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClickEvent } from '../../functions/analytics/ports';
import type { Order } from '../../functions/orders/schemas';
import { replayHistory, type ReplayClients } from '@ecicomm/local-platform/history/replay';
import { FIXTURE_RANGE, writeHistoryFixture } from '../support/history-fixture';

const ENV = { AWS_REGION: 'eu-west-2', ORDERS_TABLE: 'test-orders', CLICKSTREAM_STREAM: 'test-clickstream' };
const work = mkdtempSync(path.join(tmpdir(), 'history-replay-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fixtureDir = writeHistoryFixture(path.join(work, 'fixture'));

/** 60 invoices of 20 lines each over two days: more orders than one BatchWriteItem and more events than one PutRecords takes. */
const bigDir = writeHistoryFixture(
  path.join(work, 'big'),
  Array.from({ length: 60 }, (_, i) =>
    Array.from({ length: 20 }, (_, j) => [
      String(700000 + i),
      `CODE${j}`,
      `PRODUCT ${j}`,
      String(j + 1),
      `2009-06-0${i < 30 ? 1 : 2}T1${i % 10}:00:00`,
      '1.50',
      String(13000 + (i % 7)),
      'United Kingdom',
    ]),
  ).flat(),
);

interface Recorded {
  batches: { at: number; orders: Order[] }[];
  puts: { at: number; events: ClickEvent[]; partitionKeys: string[] }[];
}

/**
 * Fake clients: DynamoDB leaves `unprocessedFirst` items of its first answer unprocessed; Kinesis fails
 * `failFirst` records of its first answer (or every record, always, with `kinesisAlwaysFails`).
 */
function fakeClients(
  options: { unprocessedFirst?: number; failFirst?: number; kinesisAlwaysFails?: boolean } = {},
): ReplayClients & { recorded: Recorded } {
  const recorded: Recorded = { batches: [], puts: [] };
  let dynamoCalls = 0;
  let kinesisCalls = 0;
  return {
    recorded,
    documents: {
      send: (async (command: BatchWriteCommand) => {
        expect(command).toBeInstanceOf(BatchWriteCommand);
        const input = command.input as BatchWriteCommandInput;
        const requests = input.RequestItems![ENV.ORDERS_TABLE]!;
        const leave = dynamoCalls++ === 0 ? Math.min(options.unprocessedFirst ?? 0, requests.length) : 0;
        const done = requests.slice(0, requests.length - leave);
        recorded.batches.push({ at: performance.now(), orders: done.map((r) => r.PutRequest!.Item as Order) });
        return { UnprocessedItems: leave ? { [ENV.ORDERS_TABLE]: requests.slice(requests.length - leave) } : {} };
      }) as ReplayClients['documents']['send'],
    },
    kinesis: {
      send: (async (command: PutRecordsCommand) => {
        expect(command).toBeInstanceOf(PutRecordsCommand);
        const input = command.input as PutRecordsCommandInput;
        expect(input.StreamName).toBe(ENV.CLICKSTREAM_STREAM);
        const first = kinesisCalls++ === 0;
        const failing = options.kinesisAlwaysFails ? input.Records!.length : first ? (options.failFirst ?? 0) : 0;
        const results = input.Records!.map((_, i) =>
          i < failing
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }
            : { SequenceNumber: String(i), ShardId: 'shardId-000000000000' },
        );
        const ok = input.Records!.slice(failing);
        recorded.puts.push({
          at: performance.now(),
          events: ok.map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')) as ClickEvent),
          partitionKeys: ok.map((r) => r.PartitionKey!),
        });
        return { FailedRecordCount: failing, Records: results };
      }) as ReplayClients['kinesis']['send'],
    },
  };
}

describe('replayHistory', () => {
  it('writes every order once in BatchWriteItem requests of at most 25, sending again what DynamoDB left unprocessed', async () => {
    const clients = fakeClients({ unprocessedFirst: 7, failFirst: 30 });
    const progress: number[] = [];
    let total = 0;
    const result = await replayHistory({
      env: ENV,
      datasetDir: bigDir,
      range: { from: '2009-06-01', to: '2009-06-02' },
      clients,
      onStart: (n) => void (total = n),
      onProgress: (n) => progress.push(n),
    });
    expect(total).toBe(60);
    expect(result).toMatchObject({ invoices: 60, orders: 60, refunds: 0, lines: 1200, events: 1200 });
    expect(Math.max(...clients.recorded.batches.map((b) => b.orders.length))).toBeLessThanOrEqual(25);
    const written = clients.recorded.batches.flatMap((b) => b.orders.map((o) => o.orderId)).sort();
    expect(written).toEqual(Array.from({ length: 60 }, (_, i) => `hist-${700000 + i}`).sort());
    expect(progress.at(-1)).toBe(60);
    expect(result.firstWriteAt).toBeLessThanOrEqual(result.lastWriteAt!);
  });

  it('puts every purchase event once in PutRecords of at most 500, partitioned by the invoice’s session, retrying the failed records', async () => {
    const clients = fakeClients({ failFirst: 30 });
    await replayHistory({ env: ENV, datasetDir: bigDir, range: { from: '2009-06-01', to: '2009-06-02' }, clients });
    expect(Math.max(...clients.recorded.puts.map((p) => p.events.length + 0))).toBeLessThanOrEqual(500);
    const events = clients.recorded.puts.flatMap((p) => p.events);
    expect(events).toHaveLength(1200);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(1200);
    for (const put of clients.recorded.puts)
      put.events.forEach((e, i) => expect(put.partitionKeys[i]).toBe(e.sessionId));
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(60);
  });

  it('sends at most --rate invoices per second', async () => {
    const clients = fakeClients();
    const rate = 5;
    const start = performance.now();
    await replayHistory({ env: ENV, datasetDir: fixtureDir, range: FIXTURE_RANGE, clients, rate });
    // Order n of the fixture's (in invoice order) may not be written before n / rate seconds: the limit is a lower bound on time.
    const writes = clients.recorded.batches.flatMap((b) =>
      b.orders.map((o) => ({ orderId: o.orderId, at: b.at - start })),
    );
    const invoiceIndex = ['900001', '900002', '900003', '900004', 'C900005', 'A900009', '900006', '900007'];
    expect(writes).toHaveLength(6);
    for (const w of writes) {
      const n = invoiceIndex.indexOf(w.orderId.slice('hist-'.length));
      expect(w.at).toBeGreaterThanOrEqual((n * 1000) / rate - 5);
    }
  });

  it('fails clearly when Kinesis keeps refusing records, without a dataset, or without the platform’s table and stream', async () => {
    await expect(
      replayHistory({
        env: ENV,
        datasetDir: fixtureDir,
        range: FIXTURE_RANGE,
        clients: fakeClients({ kinesisAlwaysFails: true }),
        kinesisRetry: { sleep: async () => undefined },
      }),
    ).rejects.toThrow(/Kinesis refused 9 of 9 events/);
    await expect(
      replayHistory({ env: ENV, datasetDir: path.join(work, 'absent'), range: FIXTURE_RANGE, clients: fakeClients() }),
    ).rejects.toThrow(/No dataset in/);
    await expect(
      replayHistory({
        env: { ...ENV, ORDERS_TABLE: '' },
        datasetDir: fixtureDir,
        range: FIXTURE_RANGE,
        clients: fakeClients(),
      }),
    ).rejects.toThrow(/lacks ORDERS_TABLE/);
    await expect(
      replayHistory({ env: ENV, datasetDir: fixtureDir, range: FIXTURE_RANGE, clients: fakeClients(), rate: 0 }),
    ).rejects.toThrow(/--rate/);
  });
});
