/**
 * Local event source mappings against real emulators: DynamoDB Local (its Streams), kinesalite and the SQS
 * emulator as the on-failure destination (test/support/stream-emulators.ts), started on free ports and stopped in afterAll.
 * Also which of the platform's tables the local bootstrap gives a stream, on the same DynamoDB Local.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand, type KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  startEventSourceMapping,
  type EventSourceMapping,
} from '@ecicomm/local-platform/event-source-mappings/mapping';
import { kinesisStreamSource, localKinesisStreamSource } from '@ecicomm/local-platform/event-source-mappings/sources';
import { ensureTables } from '@ecicomm/local-platform/bootstrap';
import { hasStream } from '../../lib/table-streams';
import { tables, type TableSpec } from '../../lib/tables';
import {
  credentials,
  fastPolling,
  region,
  startStreamEmulators,
  type StreamEmulators,
} from '../support/stream-emulators';

type Rec = Record<string, any>;

let emulators: StreamEmulators | undefined;
let dynamo: DynamoDBClient;
let kinesis: KinesisClient;
let sqs: SQSClient;
const mappings: EventSourceMapping[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'esm-test-'));

beforeAll(async () => {
  emulators = await startStreamEmulators('esm');
  ({ dynamo, kinesis, sqs } = emulators);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(mappings.map((m) => m.stop()));
  await emulators?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const createTable = () => emulators!.createTable();
const createStream = (shardCount: number) => emulators!.createStream(shardCount);

async function putRecords(StreamName: string, values: string[], partitionKey: (i: number) => string = () => 'pk') {
  const out: { value: string; shardId: string; sequenceNumber: string }[] = [];
  for (const [i, value] of values.entries()) {
    const r = await kinesis.send(
      new PutRecordCommand({ StreamName, PartitionKey: partitionKey(i), Data: Buffer.from(value) }),
    );
    out.push({ value, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber! });
  }
  return out;
}

/** One PutRecords request: kinesalite stamps its records' arrival in one pass, within the same millisecond or the next. */
async function putRecordBatch(StreamName: string, values: string[]) {
  const r = await kinesis.send(
    new PutRecordsCommand({
      StreamName,
      Records: values.map((value) => ({ PartitionKey: 'pk', Data: Buffer.from(value) })),
    }),
  );
  if (r.FailedRecordCount) throw new Error(`PutRecords failed ${r.FailedRecordCount} record(s)`);
  return r.Records!.map((rec, i) => ({
    value: values[i],
    shardId: rec.ShardId!,
    sequenceNumber: rec.SequenceNumber!,
  }));
}

const decode = (record: Rec) => Buffer.from(record.kinesis.data, 'base64').toString();

async function start(options: Parameters<typeof startEventSourceMapping>[0]) {
  const mapping = await startEventSourceMapping({ region, credentials, ...fastPolling, ...options });
  mappings.push(mapping);
  return mapping;
}

describe('DynamoDB Streams', () => {
  it('delivers a table’s changes in order with Lambda’s record shape and NEW/OLD images', async () => {
    const tableName = await createTable();
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    await dynamo.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'b' }, v: { N: '3' } } }));
    await dynamo.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } }));
    const batches: Rec[][] = [];
    const mapping = await start({
      source: { kind: 'dynamodb', endpoint: emulators!.dynamoEndpoint, tableName },
      batchSize: 3,
      handler: (e) => void batches.push(e.Records),
    });
    await mapping.idle();
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
    const records = batches.flat();
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'INSERT', 'REMOVE']);
    const [insert, modify, , remove] = records;
    expect(Object.keys(insert)).toEqual([
      'eventID',
      'eventName',
      'eventVersion',
      'eventSource',
      'awsRegion',
      'dynamodb',
      'eventSourceARN',
    ]);
    expect(insert).toMatchObject({
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      eventSourceARN: mapping.stats().sourceArn,
    });
    expect(insert.eventSourceARN).toMatch(new RegExp(`table/${tableName}/stream/`));
    expect(insert.dynamodb).toMatchObject({
      Keys: { pk: { S: 'a' } },
      NewImage: { pk: { S: 'a' }, v: { N: '1' } },
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(insert.dynamodb.OldImage).toBeUndefined();
    expect(typeof insert.dynamodb.ApproximateCreationDateTime).toBe('number');
    expect(typeof insert.dynamodb.SizeBytes).toBe('number');
    expect(modify.dynamodb).toMatchObject({ NewImage: { v: { N: '2' } }, OldImage: { v: { N: '1' } } });
    expect(remove.dynamodb).toMatchObject({ OldImage: { v: { N: '2' } } });
    expect(remove.dynamodb.NewImage).toBeUndefined();
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    // Later writes are picked up by the running poller.
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'c' } } }));
    await mapping.idle();
    expect(batches.flat().map((r) => r.dynamodb.Keys.pk.S)).toEqual(['a', 'a', 'b', 'a', 'c']);
    await mapping.stop();
  }, 30_000);

  it('writes empty maps as DynamoDB does ({"M": {}}), at any depth, though DynamoDB Local streams them as {}', async () => {
    const tableName = await createTable();
    const Item = {
      pk: { S: 'a' },
      empty: { M: {} },
      nested: { M: { inner: { M: {} }, list: { L: [{ M: {} }, { L: [] }] } } },
      list: { L: [] },
    };
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item }));
    const records: Rec[] = [];
    const mapping = await start({
      source: { kind: 'dynamodb', endpoint: emulators!.dynamoEndpoint, tableName },
      handler: (e) => void records.push(...e.Records),
    });
    await mapping.idle();
    expect(records[0].dynamodb.NewImage).toEqual(Item);
    await mapping.stop();
  }, 30_000);

  it('persists checkpoints so that a restart resumes without redelivery', async () => {
    const tableName = await createTable();
    const checkpointFile = path.join(dir, `${tableName}.json`);
    const seen: string[] = [];
    const options = {
      source: { kind: 'dynamodb' as const, endpoint: emulators!.dynamoEndpoint, tableName },
      checkpointFile,
      handler: (e: { Records: Rec[] }) => void seen.push(...e.Records.map((r) => r.dynamodb.Keys.pk.S as string)),
    };
    for (const pk of ['1', '2', '3'])
      await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk } } }));
    const first = await start(options);
    await first.idle();
    await first.stop();
    expect(seen).toEqual(['1', '2', '3']);
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8'));
    expect(saved.sourceArn).toBe(first.stats().sourceArn);
    expect(Object.values(saved.shards)).toEqual([{ sequenceNumber: first.stats().shards[0].checkpoint }]);
    for (const pk of ['4', '5'])
      await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk } } }));
    const second = await start(options);
    await second.idle();
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    await second.stop();
  }, 30_000);
});

describe('Kinesis', () => {
  it('delivers each shard’s records in order with Lambda’s record shape', async () => {
    const streamName = await createStream(3);
    const put = await putRecords(
      streamName,
      Array.from({ length: 30 }, (_, i) => `r${i}`),
      (i) => `key-${i % 7}`,
    );
    expect(new Set(put.map((p) => p.shardId)).size).toBeGreaterThan(1);
    const received: Rec[] = [];
    const inFlight = new Set<string>();
    let overlapped = false;
    const mapping = await start({
      source: { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      batchSize: 4,
      handler: async (e) => {
        const shard = (e.Records[0]!.eventID as string).split(':')[0];
        if (inFlight.has(shard)) overlapped = true;
        inFlight.add(shard);
        await new Promise((r) => setTimeout(r, 5));
        inFlight.delete(shard);
        expect(e.Records.length).toBeLessThanOrEqual(4);
        received.push(...e.Records);
      },
    });
    await mapping.idle();
    expect(overlapped).toBe(false);
    expect(received).toHaveLength(30);
    for (const shardId of new Set(put.map((p) => p.shardId))) {
      const expected = put.filter((p) => p.shardId === shardId);
      const got = received.filter((r) => r.eventID.startsWith(`${shardId}:`));
      expect(got.map(decode)).toEqual(expected.map((p) => p.value));
      expect(got.map((r) => r.kinesis.sequenceNumber)).toEqual(expected.map((p) => p.sequenceNumber));
    }
    const first = received.find((r) => decode(r) === 'r0')!;
    expect(Object.keys(first)).toEqual([
      'kinesis',
      'eventSource',
      'eventVersion',
      'eventID',
      'eventName',
      'invokeIdentityArn',
      'awsRegion',
      'eventSourceARN',
    ]);
    expect(first).toMatchObject({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'key-0',
        sequenceNumber: put[0].sequenceNumber,
        data: Buffer.from('r0').toString('base64'),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${put[0].shardId}:${put[0].sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      awsRegion: region,
      eventSourceARN: mapping.stats().sourceArn,
    });
    // As the emulator reports it (kinesalite names us-east-1 whatever the region).
    expect(first.eventSourceARN).toMatch(new RegExp(`^arn:aws:kinesis:[a-z0-9-]+:\\d{12}:stream/${streamName}$`));
    expect(first.kinesis.approximateArrivalTimestamp).toBeGreaterThan(Date.now() / 1000 - 60);
    await mapping.stop();
  }, 30_000);

  it('reads the same Lambda records through the pollers’ JSON GetRecords as through the SDK’s', async () => {
    const streamName = await createStream(1);
    const values = [
      'plain',
      'ünïcødé ✓',
      '',
      JSON.stringify({ type: 'purchase', value: 1234 }),
      Buffer.from([0, 255, 128]).toString('latin1'),
    ];
    await putRecordBatch(streamName, values);
    const options = {
      endpoint: emulators!.kinesisEndpoint,
      streamName,
      region,
      credentials,
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/reader',
    };
    const sources = [await localKinesisStreamSource(options), await kinesisStreamSource(options)];
    try {
      const [local, sdk] = await Promise.all(
        sources.map(async (source) => {
          const [shard] = await source.listShards();
          const iterator = await source.getIterator(shard.shardId, { type: 'TRIM_HORIZON' });
          return (await source.getRecords(shard.shardId, iterator!, 100)).records;
        }),
      );
      expect(local).toHaveLength(values.length);
      expect(local).toEqual(sdk);
      expect(local.map((r) => Buffer.from((r.event as Rec).kinesis.data, 'base64').toString('latin1'))).toEqual(
        values.map((v) => Buffer.from(v).toString('latin1')),
      );
    } finally {
      sources.forEach((s) => s.close());
      // kinesalite allows 10 open shards in all, and this file's other tests need theirs.
      await kinesis.send(new DeleteStreamCommand({ StreamName: streamName }));
    }
  }, 30_000);

  it('gathers records for maximumBatchingWindowMs before invoking', async () => {
    const streamName = await createStream(1);
    const batches: string[][] = [];
    const mapping = await start({
      source: { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      batchSize: 100,
      maximumBatchingWindowMs: 1500,
      handler: (e) => void batches.push(e.Records.map(decode)),
    });
    await putRecords(streamName, ['a', 'b']);
    await new Promise((r) => setTimeout(r, 300));
    await putRecords(streamName, ['c']);
    await mapping.idle();
    expect(batches).toEqual([['a', 'b', 'c']]);
    await mapping.stop();
  }, 30_000);

  it('with ReportBatchItemFailures retries from the first failed record only', async () => {
    const streamName = await createStream(1);
    const put = await putRecords(
      streamName,
      Array.from({ length: 10 }, (_, i) => `r${i}`),
    );
    const batches: string[][] = [];
    const failed = new Set<string>();
    const mapping = await start({
      source: { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      batchSize: 10,
      reportBatchItemFailures: true,
      handler: (e) => {
        batches.push(e.Records.map(decode));
        // r5 and r7 fail once each; the earliest failure decides where the retry starts.
        const failures = e.Records.filter((r) => ['r5', 'r7'].includes(decode(r)) && !failed.has(decode(r)));
        for (const r of failures) failed.add(decode(r));
        return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      },
    });
    await mapping.idle();
    expect(batches).toEqual([put.map((p) => p.value), ['r5', 'r6', 'r7', 'r8', 'r9']]);
    expect(mapping.stats()).toMatchObject({
      invocations: 2,
      partialFailures: 1,
      recordsDelivered: 10,
      batches: 1,
      shards: [{ checkpoint: put[9].sequenceNumber }],
    });
    await mapping.stop();
  }, 30_000);

  it('bisects on a thrown error until the poison record is isolated, then sends it to the on-failure queue', async () => {
    const streamName = await createStream(1);
    const QueueUrl = await emulators!.createQueue();
    const put = await putRecords(
      streamName,
      Array.from({ length: 8 }, (_, i) => `r${i}`),
    );
    const invocations: string[][] = [];
    const processed: string[] = [];
    const mapping = await start({
      source: { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      functionName: 'analytics-loader',
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 2,
      onFailure: { queueUrl: QueueUrl, endpoint: emulators!.sqsEndpoint },
      handler: (e) => {
        const values = e.Records.map(decode);
        invocations.push(values);
        if (values.includes('r5')) throw new Error('poison');
        processed.push(...values);
      },
    });
    await mapping.idle();
    expect(processed).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r6', 'r7']);
    expect(invocations).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'],
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6', 'r7'],
      ['r4', 'r5'],
      ['r4'],
      ['r5'],
      ['r5'],
      ['r5'],
      ['r6', 'r7'],
    ]);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const failure = JSON.parse(Messages[0].Body!);
    expect(failure).toMatchObject({
      requestContext: {
        functionArn: `arn:aws:lambda:${region}:000000000000:function:analytics-loader`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      KinesisBatchInfo: {
        shardId: put[5].shardId,
        startSequenceNumber: put[5].sequenceNumber,
        endSequenceNumber: put[5].sequenceNumber,
        batchSize: 1,
        streamArn: mapping.stats().sourceArn,
      },
    });
    expect(typeof failure.requestContext.requestId).toBe('string');
    expect(new Date(failure.KinesisBatchInfo.approximateArrivalOfFirstRecord).getTime()).not.toBeNaN();
    expect(mapping.stats()).toMatchObject({
      recordsToDestination: 1,
      destinationMessages: 1,
      shards: [{ checkpoint: put[7].sequenceNumber }],
    });
    await mapping.stop();
  }, 30_000);

  it('sends records older than maximumRecordAgeSeconds to the on-failure queue without invoking the function', async () => {
    const streamName = await createStream(1);
    const QueueUrl = await emulators!.createQueue();
    const put = await putRecords(streamName, ['old0', 'old1', 'old2']);
    // Let the records age past the limit before the mapping first reads them.
    await new Promise((r) => setTimeout(r, 1_100));
    const delivered: string[] = [];
    const mapping = await start({
      source: { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      functionName: 'analytics-loader',
      maximumRecordAgeSeconds: 1,
      onFailure: { queueUrl: QueueUrl, endpoint: emulators!.sqsEndpoint },
      handler: (e) => void delivered.push(...e.Records.map(decode)),
    });
    await mapping.idle();
    expect(delivered).toEqual([]);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const failure = JSON.parse(Messages[0].Body!);
    expect(failure).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded', approximateInvokeCount: 0 },
      KinesisBatchInfo: {
        startSequenceNumber: put[0].sequenceNumber,
        endSequenceNumber: put[2].sequenceNumber,
        batchSize: 3,
      },
    });
    expect(failure.responseContext.functionError).toBeUndefined();
    expect(mapping.stats()).toMatchObject({
      invocations: 0,
      recordsExpired: 3,
      recordsToDestination: 3,
      shards: [{ checkpoint: put[2].sequenceNumber }],
    });
    await mapping.stop();
  }, 30_000);

  it('with unlimited retries, retries a failing record until it expires, then moves on', async () => {
    const streamName = await createStream(1);
    const QueueUrl = await emulators!.createQueue();
    const delivered: string[] = [];
    const arrivals = new Map<string, number>();
    let poisonCalls = 0;
    const mapping = await start({
      source: { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: 2,
      reportBatchItemFailures: true,
      onFailure: { queueUrl: QueueUrl, endpoint: emulators!.sqsEndpoint },
      handler: (e) => {
        for (const r of e.Records) arrivals.set(decode(r), r.kinesis.approximateArrivalTimestamp);
        const failed = e.Records.filter((r) => decode(r) === 'poison');
        poisonCalls += failed.length;
        delivered.push(...e.Records.filter((r) => decode(r) !== 'poison').map(decode));
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      },
    });
    // Put once the mapping runs, so that a slow start cannot use up the records' 2 s before the first read. The
    // poison and the record after it go in one request, so that they arrive (and so expire) together, or at most a
    // millisecond apart.
    const put = [...(await putRecords(streamName, ['r0'])), ...(await putRecordBatch(streamName, ['poison', 'r2']))];
    // Nothing but the record's age can end the retries: idle means it expired.
    await mapping.idle();
    expect(poisonCalls).toBeGreaterThan(1);
    // The record after the poison was handled on every retry, but the shard cannot pass the poison without it. When
    // kinesalite stamped both in the same millisecond they expire together. When its clock ticked between the two (it
    // reads the clock per record, even within one request), the poison expires first, alone, and the record after it
    // expires too, or, read again while still a millisecond short of its age limit, is handled and passed.
    const sameArrival = arrivals.get('poison') === arrivals.get('r2');
    const expired: { requestContext: { condition: string }; KinesisBatchInfo: Record<string, unknown> }[] = [];
    const expiredRecords = () => expired.reduce((n, m) => n + Number(m.KinesisBatchInfo.batchSize), 0);
    for (let receive = 0; receive < 3 && expiredRecords() < 2; receive++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      expired.push(...Messages.map((m) => JSON.parse(m.Body!) as (typeof expired)[number]));
    }
    expect(expired.map((m) => m.requestContext.condition)).toEqual(expired.map(() => 'RecordAgeExceeded'));
    expect(expired[0]?.KinesisBatchInfo.startSequenceNumber).toBe(put[1].sequenceNumber);
    if (sameArrival) expect(expiredRecords()).toBe(2);
    else expect([1, 2]).toContain(expiredRecords());
    expect(expired.at(-1)?.KinesisBatchInfo.endSequenceNumber).toBe(put[expiredRecords()].sequenceNumber);
    await putRecords(streamName, ['r3']);
    await mapping.idle();
    expect(new Set(delivered)).toEqual(new Set(['r0', 'r2', 'r3']));
    expect(mapping.stats()).toMatchObject({ recordsExpired: expiredRecords(), shards: [{ buffered: 0 }] });
    await mapping.stop();
  }, 30_000);

  it('starts at LATEST when told, and a DynamoDB batch that exhausts its retries is sent with DDBStreamBatchInfo', async () => {
    const tableName = await createTable();
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'old' } } }));
    const QueueUrl = await emulators!.createQueue();
    let calls = 0;
    const mapping = await start({
      source: { kind: 'dynamodb', endpoint: emulators!.dynamoEndpoint, tableName },
      startingPosition: 'LATEST',
      maximumRetryAttempts: 1,
      onFailure: { queueUrl: QueueUrl, endpoint: emulators!.sqsEndpoint },
      reportBatchItemFailures: true,
      handler: (e) => {
        calls++;
        return { batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
      },
    });
    await mapping.idle();
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'new' } } }));
    await mapping.idle();
    expect(calls).toBe(2);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const failure = JSON.parse(Messages[0].Body!);
    expect(failure.responseContext.functionError).toBeUndefined();
    expect(failure.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn: mapping.stats().sourceArn });
    expect(failure.DDBStreamBatchInfo.startSequenceNumber).toBe(mapping.stats().shards[0].checkpoint);
    await mapping.stop();
  }, 30_000);
});

describe("the platform's tables and their streams (lib/table-streams.ts)", () => {
  const streamOf = async (TableName: string) =>
    (await dynamo.send(new DescribeTableCommand({ TableName }))).Table?.StreamSpecification;
  const specs = Object.values(tables);

  it('creates a stream of both images exactly on the tables a consumer reads', async () => {
    await ensureTables(dynamo, 'streams-new', specs);
    for (const spec of specs) {
      const stream = await streamOf(`streams-new-${spec.name}`);
      if (hasStream(spec)) expect(stream).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
      else expect(stream?.StreamEnabled ?? false).toBe(false);
    }
    expect(specs.filter(hasStream).map((s) => s.name)).toEqual(['products', 'inventory', 'users', 'orders']);
  }, 30_000);

  it('turns the stream of a table persisted by an earlier version on or off, and leaves its items', async () => {
    const persisted = async (spec: TableSpec, streamed: boolean) => {
      const TableName = `streams-old-${spec.name}`;
      await dynamo.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: spec.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }],
          ...(streamed ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
        }),
      );
      await dynamo.send(new PutItemCommand({ TableName, Item: { [spec.partitionKey]: { S: 'kept' } } }));
      return TableName;
    };
    const carts = await persisted(tables.carts, true);
    const inventory = await persisted(tables.inventory, false);
    await ensureTables(dynamo, 'streams-old', [tables.carts, tables.inventory]);
    expect((await streamOf(carts))?.StreamEnabled ?? false).toBe(false);
    expect(await streamOf(inventory)).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const kept = await dynamo.send(new GetItemCommand({ TableName: carts, Key: { ownerId: { S: 'kept' } } }));
    expect(kept.Item).toBeDefined();
    // Again: nothing left to change.
    await ensureTables(dynamo, 'streams-old', [tables.carts, tables.inventory]);
    expect(await streamOf(inventory)).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  }, 30_000);
});
