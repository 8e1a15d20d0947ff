/**
 * The redrive against real emulators, wired as in AWS: DynamoDB Local (its Streams) and kinesalite as the
 * sources, the local event source mappings sending failure records to the SQS emulator, and the consumer
 * behind the local Lambda Invoke API — the redrive reaches it only through @aws-sdk/client-lambda.
 * The rules that need a stream past its retention are tested on the ports with an in-memory stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteTableCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand, type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand, type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { streamConsumers } from '../../lib/analytics';
import {
  startEventSourceMapping,
  type EventSourceMapping,
} from '@ecicomm/local-platform/event-source-mappings/mapping';
import { RecordsTrimmed, type SourceRecord, type StartPosition } from '../../lib/stream-sources';
import { startLambdaEmulator, type LambdaEmulator } from '@ecicomm/local-platform/lambda/server';
import {
  awsRedrivePorts,
  parseFailureRecord,
  readRange,
  redrive,
  type BatchRange,
  type QueueMessage,
  type RedrivePorts,
} from '../../lib/ops/redrive';
import {
  credentials,
  fastPolling,
  region,
  startStreamEmulators,
  type StreamEmulators,
} from '../support/stream-emulators';

type Rec = Record<string, any>;

let emulators: StreamEmulators | undefined;
let lambdaEmulator: LambdaEmulator | undefined;
let dynamo: DynamoDBClient;
let kinesis: KinesisClient;
let sqs: SQSClient;
const mappings: EventSourceMapping[] = [];

/**
 * A loader that cannot process a record whose key or data says "poison" until it is fixed, reporting it in
 * batchItemFailures as the analytics loaders do. It keeps what it loaded (once per record, as the
 * warehouse's idempotent loads) and every record it was given, to compare the redriven events with the
 * originals.
 */
function flakyLoader(keyOf: (r: Rec) => string, idOf: (r: Rec) => string) {
  const state = { fixed: false, loaded: new Map<string, Rec>(), seen: [] as Rec[], throwInstead: false };
  const handler = async (event: { Records: Rec[] }) => {
    state.seen.push(...event.Records);
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      if (keyOf(record).includes('poison') && !state.fixed) {
        if (state.throwInstead) throw new Error(`cannot load ${keyOf(record)}`);
        failures.push({ itemIdentifier: idOf(record) });
        continue;
      }
      if (!state.loaded.has(idOf(record))) state.loaded.set(idOf(record), record);
    }
    return { batchItemFailures: failures };
  };
  return { state, handler };
}

const ddbKey = (r: Rec) => r.dynamodb.Keys.pk.S as string;
const ddbId = (r: Rec) => r.dynamodb.SequenceNumber as string;
const kinesisKey = (r: Rec) => Buffer.from(r.kinesis.data, 'base64').toString();
const kinesisId = (r: Rec) => r.kinesis.sequenceNumber as string;

const orders = flakyLoader(ddbKey, ddbId);
const clicks = flakyLoader(kinesisKey, kinesisId);

beforeAll(async () => {
  emulators = await startStreamEmulators('redrive');
  ({ dynamo, kinesis, sqs } = emulators);
  lambdaEmulator = await startLambdaEmulator({
    port: 0,
    region,
    credentials,
    functions: { loadOrdersStream: orders.handler, loadClickstream: clicks.handler },
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(mappings.map((m) => m.stop()));
  await Promise.allSettled([emulators?.stop(), lambdaEmulator?.stop()]);
}, 30_000);

const consumer = (id: string) => streamConsumers.find((c) => c.id === id)!;

const createQueue = () => emulators!.createQueue();
const createTable = () => emulators!.createTable();
const createStream = (shardCount: number) => emulators!.createStream(shardCount);

async function queueDepth(QueueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes!.ApproximateNumberOfMessages),
    hidden: Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
  };
}

/** The consumer's ESM as the platform runs it: partial batch failures, bisect, one retry, then the queue. */
async function startMapping(
  source: Parameters<typeof startEventSourceMapping>[0]['source'],
  functionName: string,
  handler: (e: { Records: Rec[] }) => Promise<unknown>,
  queueUrl: string,
) {
  const mapping = await startEventSourceMapping({
    region,
    credentials,
    ...fastPolling,
    source,
    functionName,
    handler,
    batchSize: 10,
    reportBatchItemFailures: true,
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 1,
    onFailure: { queueUrl, endpoint: emulators!.sqsEndpoint },
  });
  mappings.push(mapping);
  return mapping;
}

const ports = (id: string, queueUrl: string) =>
  awsRedrivePorts({
    consumer: consumer(id),
    region,
    credentials,
    queueUrl,
    endpoints: {
      sqs: emulators!.sqsEndpoint,
      lambda: lambdaEmulator!.endpoint,
      dynamodbStreams: emulators!.dynamoEndpoint,
      kinesis: emulators!.kinesisEndpoint,
    },
  });

describe('redrive of a DynamoDB stream consumer', () => {
  it(
    'keeps the failure record while the consumer still fails, and loads the records once it is fixed',
    { timeout: 60_000 },
    async () => {
      const tableName = await createTable();
      const queueUrl = await createQueue();
      for (const pk of ['order-1', 'order-2-poison', 'order-3'])
        await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk }, total: { N: '1250' } } }));
      const mapping = await startMapping(
        { kind: 'dynamodb', endpoint: emulators!.dynamoEndpoint, tableName },
        'loadOrdersStream',
        orders.handler,
        queueUrl,
      );
      await mapping.idle();
      expect(mapping.stats().destinationMessages).toBe(1);
      expect([...orders.state.loaded.values()].map(ddbKey)).toEqual(['order-1', 'order-3']);
      const original = orders.state.seen.find((r) => ddbKey(r) === 'order-2-poison')!;

      // Still broken: invoked, reported, kept — and visible again for the next run.
      const broken = await ports('loadOrdersStream', queueUrl);
      const first = await redrive(broken);
      expect(first).toMatchObject({
        messages: 1,
        messagesRedriven: 0,
        recordsRedriven: 0,
        stillFailing: 1,
        recordsStillFailing: 1,
        trimmed: 0,
        unreadable: 0,
      });
      // As in Lambda, the records from the first failed one to the end of the batch are the failed batch.
      const after = orders.state.seen.find((r) => ddbKey(r) === 'order-3')!;
      expect(first.reports[0]!.outcome).toMatchObject({
        kind: 'still-failing',
        reason: `batchItemFailures: 1 of 2 records (${ddbId(original)})`,
      });
      expect(first.reports[0]!.batch).toMatchObject({
        source: 'dynamodb',
        batchSize: 2,
        startSequenceNumber: ddbId(original),
        endSequenceNumber: ddbId(after),
      });
      expect(await queueDepth(queueUrl)).toEqual({ visible: 1, hidden: 0 });

      // A thrown error is still failing too, not a crash of the redrive.
      orders.state.throwInstead = true;
      const thrown = await redrive(broken);
      orders.state.throwInstead = false;
      expect(thrown.reports[0]!.outcome).toMatchObject({
        kind: 'still-failing',
        reason: 'Error: cannot load order-2-poison',
      });
      expect(await queueDepth(queueUrl)).toEqual({ visible: 1, hidden: 0 });
      broken.close();

      orders.state.fixed = true;
      const fixed = await ports('loadOrdersStream', queueUrl);
      const second = await redrive(fixed);
      fixed.close();
      expect(second).toMatchObject({
        messages: 1,
        messagesRedriven: 1,
        recordsRedriven: 2,
        stillFailing: 0,
        trimmed: 0,
      });
      expect(await queueDepth(queueUrl)).toEqual({ visible: 0, hidden: 0 });
      expect([...orders.state.loaded.values()].map(ddbKey)).toEqual(['order-1', 'order-3', 'order-2-poison']);
      // The redriven event is the very record the event source mapping delivered.
      expect(orders.state.loaded.get(ddbId(original))).toEqual(original);
      await mapping.stop();
      orders.state.fixed = false;
    },
  );

  it('reads a deleted table’s stream, which outlives it as in AWS', { timeout: 60_000 }, async () => {
    const tableName = await createTable();
    const queueUrl = await createQueue();
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'late-poison' } } }));
    const mapping = await startMapping(
      { kind: 'dynamodb', endpoint: emulators!.dynamoEndpoint, tableName },
      'loadOrdersStream',
      orders.handler,
      queueUrl,
    );
    await mapping.idle();
    await mapping.stop();
    await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
    orders.state.fixed = true;
    const p = await ports('loadOrdersStream', queueUrl);
    const summary = await redrive(p);
    p.close();
    orders.state.fixed = false;
    expect(summary).toMatchObject({ messages: 1, messagesRedriven: 1, recordsRedriven: 1, trimmed: 0 });
    expect([...orders.state.loaded.values()].map(ddbKey)).toContain('late-poison');
  });
});

describe('redrive of a Kinesis consumer', () => {
  it(
    'redrives failed records of every shard with the events the mapping built, honouring --dry-run and --max',
    { timeout: 60_000 },
    async () => {
      const streamName = await createStream(2);
      const queueUrl = await createQueue();
      // Two sessions' events, spread over the two shards; one poison record per session.
      for (const [i, data] of ['a-view', 'a-poison-1', 'a-cart', 'b-view', 'b-poison-2'].entries()) {
        await kinesis.send(
          new PutRecordCommand({
            StreamName: streamName,
            PartitionKey: data.startsWith('a') ? 'session-a' : `session-b-${i}`,
            Data: Buffer.from(data),
          }),
        );
      }
      const mapping = await startMapping(
        { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
        'loadClickstream',
        clicks.handler,
        queueUrl,
      );
      await mapping.idle();
      expect(mapping.stats().destinationMessages).toBe(2);
      await mapping.stop();
      const originals = clicks.state.seen.filter((r) => kinesisKey(r).includes('poison'));
      clicks.state.fixed = true;

      const p = await ports('loadClickstream', queueUrl);
      const invocations = clicks.state.seen.length;
      const dry = await redrive(p, { dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, messages: 2, messagesRedriven: 0, recordsRedriven: 0 });
      // Each failed batch runs from its poison record to the end of what its shard's batch held.
      const sizes = dry.reports.map((r) => r.batch!.batchSize);
      expect(new Set(dry.reports.map((r) => r.batch!.shardId)).size).toBe(2);
      expect(dry.reports.map((r) => r.outcome)).toEqual(
        sizes.map((records) => ({ kind: 'would-redrive', records, missing: 0 })),
      );
      expect(clicks.state.seen.length).toBe(invocations);
      expect(await queueDepth(queueUrl)).toEqual({ visible: 2, hidden: 0 });

      const one = await redrive(p, { max: 1 });
      expect(one).toMatchObject({ messages: 1, messagesRedriven: 1 });
      expect(await queueDepth(queueUrl)).toEqual({ visible: 1, hidden: 0 });
      const rest = await redrive(p);
      expect(rest).toMatchObject({ messages: 1, messagesRedriven: 1 });
      expect(one.recordsRedriven + rest.recordsRedriven).toBe(sizes[0]! + sizes[1]!);
      expect(await queueDepth(queueUrl)).toEqual({ visible: 0, hidden: 0 });
      p.close();
      clicks.state.fixed = false;
      // Each poison record loaded exactly as the mapping delivered it (invokeIdentityArn: the function's role).
      for (const original of originals) expect(clicks.state.loaded.get(kinesisId(original))).toEqual(original);
      expect(new Set([...clicks.state.loaded.values()].map(kinesisKey))).toEqual(
        new Set(['a-view', 'a-poison-1', 'a-cart', 'b-view', 'b-poison-2']),
      );
    },
  );

  it('reports the records of a deleted stream and keeps their message', { timeout: 30_000 }, async () => {
    const streamName = await createStream(1);
    const queueUrl = await createQueue();
    await kinesis.send(
      new PutRecordCommand({ StreamName: streamName, PartitionKey: 'p', Data: Buffer.from('gone-poison') }),
    );
    const mapping = await startMapping(
      { kind: 'kinesis', endpoint: emulators!.kinesisEndpoint, streamName },
      'loadClickstream',
      clicks.handler,
      queueUrl,
    );
    await mapping.idle();
    await mapping.stop();
    expect(mapping.stats().destinationMessages).toBe(1);
    await kinesis.send(new DeleteStreamCommand({ StreamName: streamName }));
    clicks.state.fixed = true;
    const p = await ports('loadClickstream', queueUrl);
    const invocations = clicks.state.seen.length;
    const summary = await redrive(p);
    p.close();
    expect(summary).toMatchObject({
      messages: 1,
      messagesRedriven: 0,
      recordsRedriven: 0,
      trimmed: 1,
      recordsTrimmed: 1,
      unreadable: 0,
    });
    expect(clicks.state.seen.length).toBe(invocations);
    expect(await queueDepth(queueUrl)).toEqual({ visible: 1, hidden: 0 });
    clicks.state.fixed = false;
  });

  it(
    'keeps a message that is not a failure record, and one whose function does not exist is refused up front',
    { timeout: 30_000 },
    async () => {
      const queueUrl = await createQueue();
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"hello": "world"}' }));
      const p = await ports('loadClickstream', queueUrl);
      const summary = await redrive(p);
      p.close();
      expect(summary).toMatchObject({ messages: 1, unreadable: 1, messagesRedriven: 0 });
      expect(summary.reports[0]!.outcome).toMatchObject({
        kind: 'unreadable',
        reason: expect.stringMatching(/^not a failure record/),
      });
      expect(await queueDepth(queueUrl)).toEqual({ visible: 1, hidden: 0 });
      await expect(
        awsRedrivePorts({
          consumer: consumer('loadInventoryStream'),
          region,
          credentials,
          queueUrl,
          endpoints: { sqs: emulators!.sqsEndpoint, lambda: lambdaEmulator!.endpoint },
        }),
      ).rejects.toThrow(/Function not found: .*loadInventoryStream/);
    },
  );
});

describe('records past the stream’s retention', () => {
  const batch: BatchRange = {
    source: 'kinesis',
    shardId: 'shardId-000000000000',
    startSequenceNumber: '100',
    endSequenceNumber: '104',
    batchSize: 3,
    streamArn: 'arn:aws:kinesis:eu-west-2:000000000000:stream/s',
  };
  const record = (sequenceNumber: string): SourceRecord => ({
    sequenceNumber,
    arrival: new Date(0),
    event: { seq: sequenceNumber },
  });

  /** A shard holding the given sequence numbers; positions before its oldest are trimmed (DynamoDB Streams). */
  const shard = (held: string[], pageSize = 1) => ({
    async getIterator(_shardId: string, position: StartPosition) {
      const from = position.type === 'AT_SEQUENCE_NUMBER' ? BigInt(position.sequenceNumber) : 0n;
      if (from < BigInt(held[0]!) - 100n) throw new RecordsTrimmed('trimmed');
      return String(held.findIndex((s) => BigInt(s) >= from));
    },
    async getRecords(_shardId: string, iterator: string) {
      const at = Number(iterator);
      return { records: held.slice(at, at + pageSize).map(record), nextIterator: String(at + pageSize) };
    },
  });

  it('reads exactly the range, across pages, and stops after its end', async () => {
    expect(await readRange(shard(['99', '100', '102', '104', '105', '106']), batch)).toEqual({
      events: [{ seq: '100' }, { seq: '102' }, { seq: '104' }],
      missing: 0,
    });
  });

  it('counts the records the shard no longer holds', async () => {
    expect(await readRange(shard(['102', '104', '105']), batch)).toEqual({
      events: [{ seq: '102' }, { seq: '104' }],
      missing: 1,
    });
    expect(await readRange(shard(['500']), batch)).toEqual({ events: [], missing: 3 });
  });

  it('redrives what is left and keeps the message, reporting the missing records', async () => {
    const body = JSON.stringify({
      requestContext: {
        requestId: 'r',
        functionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:f',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-01T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: batch.shardId,
        startSequenceNumber: '100',
        endSequenceNumber: '104',
        batchSize: 3,
        streamArn: batch.streamArn,
      },
    });
    expect(parseFailureRecord(body)).toEqual({
      condition: 'RetryAttemptsExhausted',
      functionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:f',
      timestamp: '2026-01-01T00:00:00.000Z',
      batch,
    });
    const messages: QueueMessage[] = [{ messageId: 'm1', receiptHandle: 'h1', body }];
    const removed: string[] = [];
    const released: string[] = [];
    const invoked: unknown[] = [];
    const source = shard(['102', '104']);
    const p: RedrivePorts = {
      queue: {
        receive: async () => messages.splice(0),
        remove: async (m) => void removed.push(m.messageId),
        release: async (ms) => void released.push(...ms.map((m) => m.messageId)),
      },
      reader: { read: (b) => readRange(source, b) },
      fn: { invoke: async (event) => (invoked.push(event), { kind: 'ok' }) },
    };
    const summary = await redrive(p);
    expect(summary).toMatchObject({
      messages: 1,
      messagesRedriven: 0,
      recordsRedriven: 2,
      trimmed: 1,
      recordsTrimmed: 1,
    });
    expect(invoked).toEqual([{ Records: [{ seq: '102' }, { seq: '104' }] }]);
    expect(removed).toEqual([]);
    expect(released).toEqual(['m1']);
  });
});
