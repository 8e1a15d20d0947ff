/**
 * Redrive of a stream consumer's failed batches, the same against AWS and the local platform: each message
 * in the consumer's on-failure queue is a Lambda failure record (requestContext, responseContext,
 * DDBStreamBatchInfo | KinesisBatchInfo) naming a range of one shard. The range is read again from the stream
 * (GetShardIterator AT_SEQUENCE_NUMBER from startSequenceNumber up to endSequenceNumber), shaped into the event
 * the event source mapping would have built (lib/stream-sources, one shaping for both), and the
 * consumer is invoked with it through the Lambda Invoke API. The message is deleted only when the invocation
 * succeeded and reported no batchItemFailures; otherwise it is kept, visible again at the end of the run, for
 * the next redrive. Records the stream no longer holds (past its retention) are reported and their message
 * kept: whatever is still there is redriven (loads are idempotent, so a later redrive of it costs nothing).
 *
 * `redrive()` works on three ports (the queue, the stream, the function) so its rules are tested without
 * AWS; `awsRedrivePorts()` binds them to SQS, DynamoDB Streams or Kinesis, and Lambda with the real SDK
 * clients — default endpoints and credentials in AWS, the local platform's endpoints locally.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import { consumerPhysicalNames, type StreamConsumer } from '../stream-consumers';
import {
  kinesisStreamSource,
  RecordsTrimmed,
  sdkDynamoDbStreamSource,
  type Credentials,
  type StreamSource,
} from '../stream-sources';

// ---------------------------------------------------------------------------------------------------------
// The failure record

const BatchInfo = z.object({
  shardId: z.string().check(z.minLength(1)),
  startSequenceNumber: z.string().check(z.regex(/^\d+$/)),
  endSequenceNumber: z.string().check(z.regex(/^\d+$/)),
  batchSize: z.number().check(z.int(), z.positive()),
  streamArn: z.string().check(z.minLength(1)),
  approximateArrivalOfFirstRecord: z.optional(z.string()),
  approximateArrivalOfLastRecord: z.optional(z.string()),
});

const FailureRecordBody = z.object({
  requestContext: z.object({
    requestId: z.optional(z.string()),
    functionArn: z.optional(z.string()),
    condition: z.optional(z.string()),
    approximateInvokeCount: z.optional(z.number()),
  }),
  responseContext: z.optional(z.object({ statusCode: z.optional(z.number()), functionError: z.optional(z.string()) })),
  timestamp: z.optional(z.string()),
  DDBStreamBatchInfo: z.optional(BatchInfo),
  KinesisBatchInfo: z.optional(BatchInfo),
});

export type BatchRange = z.infer<typeof BatchInfo> & { source: 'dynamodb' | 'kinesis' };

export interface FailureRecord {
  condition?: string;
  functionArn?: string;
  timestamp?: string;
  batch: BatchRange;
}

/** A failure record from a message body; throws on anything else. */
export function parseFailureRecord(body: string): FailureRecord {
  const json = JSON.parse(body) as unknown;
  const parsed = FailureRecordBody.parse(json);
  const info = parsed.DDBStreamBatchInfo ?? parsed.KinesisBatchInfo;
  if (!info) throw new Error('neither DDBStreamBatchInfo nor KinesisBatchInfo');
  if (BigInt(info.startSequenceNumber) > BigInt(info.endSequenceNumber))
    throw new Error('startSequenceNumber is after endSequenceNumber');
  return {
    ...(parsed.requestContext.condition ? { condition: parsed.requestContext.condition } : {}),
    ...(parsed.requestContext.functionArn ? { functionArn: parsed.requestContext.functionArn } : {}),
    ...(parsed.timestamp ? { timestamp: parsed.timestamp } : {}),
    batch: { ...info, source: parsed.DDBStreamBatchInfo ? 'dynamodb' : 'kinesis' },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Ports

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
}

export interface FailureQueue {
  /** Up to `max` messages (at most 10), hidden from other readers for the rest of the run; [] when none are left. */
  receive(max: number): Promise<QueueMessage[]>;
  remove(message: QueueMessage): Promise<void>;
  /** Makes kept messages visible again at once, for the next redrive. */
  release(messages: QueueMessage[]): Promise<void>;
}

export interface RangeRead {
  /** The records of the range the stream still holds, in order, as Lambda event records. */
  events: Record<string, unknown>[];
  /** How many of the batch's records are gone (trimmed past the stream's retention, or their shard expired). */
  missing: number;
}

export interface BatchReader {
  read(batch: BatchRange): Promise<RangeRead>;
}

export type InvokeOutcome =
  | { kind: 'ok' }
  /** The function returned batchItemFailures (the sequence numbers of the records it could not process). */
  | { kind: 'partial'; failed: string[] }
  | { kind: 'error'; errorType: string; errorMessage: string };

export interface ConsumerFunction {
  invoke(event: { Records: Record<string, unknown>[] }): Promise<InvokeOutcome>;
}

export interface RedrivePorts {
  queue: FailureQueue;
  reader: BatchReader;
  fn: ConsumerFunction;
}

// ---------------------------------------------------------------------------------------------------------
// The redrive

export type MessageOutcome =
  | { kind: 'redriven'; records: number }
  | { kind: 'would-redrive'; records: number; missing: number }
  | { kind: 'still-failing'; records: number; missing: number; reason: string }
  | { kind: 'trimmed'; records: number; missing: number }
  | { kind: 'unreadable'; reason: string };

export interface MessageReport {
  messageId: string;
  batch?: BatchRange;
  outcome: MessageOutcome;
}

export interface RedriveSummary {
  dryRun: boolean;
  /** Failure records read from the queue. */
  messages: number;
  /** Messages whose whole batch was loaded (and deleted). */
  messagesRedriven: number;
  /** Records the consumer processed without reporting them failed. */
  recordsRedriven: number;
  /** Messages kept because the function still fails (an error, or batchItemFailures). */
  stillFailing: number;
  recordsStillFailing: number;
  /** Messages kept because the stream no longer holds some of their records, and how many records. */
  trimmed: number;
  recordsTrimmed: number;
  /** Messages that are not failure records, or whose records could not be read; kept. */
  unreadable: number;
  reports: MessageReport[];
}

export interface RedriveOptions {
  /** Reads and reports, invokes nothing and deletes nothing. */
  dryRun?: boolean;
  /** At most this many messages. Default: until the queue is empty. */
  max?: number;
  onMessage?: (report: MessageReport) => void;
}

export async function redrive(ports: RedrivePorts, options: RedriveOptions = {}): Promise<RedriveSummary> {
  const dryRun = options.dryRun ?? false;
  const max = options.max ?? Infinity;
  const summary: RedriveSummary = {
    dryRun,
    messages: 0,
    messagesRedriven: 0,
    recordsRedriven: 0,
    stillFailing: 0,
    recordsStillFailing: 0,
    trimmed: 0,
    recordsTrimmed: 0,
    unreadable: 0,
    reports: [],
  };
  const kept: QueueMessage[] = [];
  // A message seen twice (its visibility ran out mid-run) is not handled twice.
  const seen = new Set<string>();
  try {
    while (summary.messages < max) {
      const messages = await ports.queue.receive(Math.min(10, max - summary.messages));
      const fresh = messages.filter((m) => !seen.has(m.messageId));
      if (!fresh.length) break;
      for (const message of fresh) {
        if (summary.messages >= max) {
          kept.push(message);
          continue;
        }
        seen.add(message.messageId);
        summary.messages++;
        const report = await redriveOne(ports, message, dryRun);
        summary.reports.push(report);
        count(summary, report.outcome);
        if (report.outcome.kind === 'redriven') await ports.queue.remove(message);
        else kept.push(message);
        options.onMessage?.(report);
      }
    }
  } finally {
    if (kept.length) await ports.queue.release(kept);
  }
  return summary;
}

function count(summary: RedriveSummary, outcome: MessageOutcome) {
  switch (outcome.kind) {
    case 'redriven':
      summary.messagesRedriven++;
      summary.recordsRedriven += outcome.records;
      return;
    case 'would-redrive':
      if (outcome.missing) {
        summary.trimmed++;
        summary.recordsTrimmed += outcome.missing;
      }
      return;
    case 'still-failing':
      summary.stillFailing++;
      summary.recordsStillFailing += outcome.records;
      if (outcome.missing) {
        summary.trimmed++;
        summary.recordsTrimmed += outcome.missing;
      }
      return;
    case 'trimmed':
      summary.trimmed++;
      summary.recordsTrimmed += outcome.missing;
      summary.recordsRedriven += outcome.records;
      return;
    case 'unreadable':
      summary.unreadable++;
      return;
  }
}

async function redriveOne(ports: RedrivePorts, message: QueueMessage, dryRun: boolean): Promise<MessageReport> {
  let failure: FailureRecord;
  try {
    failure = parseFailureRecord(message.body);
  } catch (e) {
    return {
      messageId: message.messageId,
      outcome: { kind: 'unreadable', reason: `not a failure record: ${(e as Error).message.split('\n')[0]}` },
    };
  }
  const { batch } = failure;
  let read: RangeRead;
  try {
    read = await ports.reader.read(batch);
  } catch (e) {
    return {
      messageId: message.messageId,
      batch,
      outcome: { kind: 'unreadable', reason: `reading ${batch.shardId}: ${(e as Error).message}` },
    };
  }
  const { events, missing } = read;
  if (dryRun)
    return { messageId: message.messageId, batch, outcome: { kind: 'would-redrive', records: events.length, missing } };
  if (!events.length) return { messageId: message.messageId, batch, outcome: { kind: 'trimmed', records: 0, missing } };
  let outcome: InvokeOutcome;
  try {
    outcome = await ports.fn.invoke({ Records: events });
  } catch (e) {
    // The Invoke call itself failed (throttled, no such function…): the function never ran.
    outcome = { kind: 'error', errorType: (e as Error).name, errorMessage: (e as Error).message };
  }
  if (outcome.kind === 'error') {
    return {
      messageId: message.messageId,
      batch,
      outcome: {
        kind: 'still-failing',
        records: events.length,
        missing,
        reason: `${outcome.errorType}: ${outcome.errorMessage}`,
      },
    };
  }
  if (outcome.kind === 'partial') {
    const reason = `batchItemFailures: ${outcome.failed.length} of ${records(events.length)} (${outcome.failed.slice(0, 3).join(', ')}${outcome.failed.length > 3 ? ', …' : ''})`;
    return {
      messageId: message.messageId,
      batch,
      outcome: { kind: 'still-failing', records: outcome.failed.length, missing, reason },
    };
  }
  if (missing)
    return { messageId: message.messageId, batch, outcome: { kind: 'trimmed', records: events.length, missing } };
  return { messageId: message.messageId, batch, outcome: { kind: 'redriven', records: events.length } };
}

// ---------------------------------------------------------------------------------------------------------
// Reading a range of a shard

/** A stream or shard that no longer exists (deleted, or a Kinesis shard past its retention) holds nothing. */
const isGone = (e: unknown) => (e as Error)?.name === 'ResourceNotFoundException';

/** Empty pages in a row after which the range's end is taken as gone (DynamoDB Streams may return a few). */
const MAX_EMPTY_PAGES = 5;

/** The records from startSequenceNumber to endSequenceNumber of a shard, with how many of the batch are gone. */
export async function readRange(
  source: Pick<StreamSource, 'getIterator' | 'getRecords'>,
  batch: BatchRange,
): Promise<RangeRead> {
  const start = BigInt(batch.startSequenceNumber);
  const end = BigInt(batch.endSequenceNumber);
  let iterator: string | undefined;
  try {
    iterator = await source.getIterator(batch.shardId, {
      type: 'AT_SEQUENCE_NUMBER',
      sequenceNumber: batch.startSequenceNumber,
    });
  } catch (e) {
    if (e instanceof RecordsTrimmed || isGone(e)) return { events: [], missing: batch.batchSize };
    throw e;
  }
  const events: Record<string, unknown>[] = [];
  let empty = 0;
  let done = false;
  while (iterator && !done) {
    const page = await source.getRecords(
      batch.shardId,
      iterator,
      Math.min(Math.max(batch.batchSize - events.length, 1), 1000),
    );
    for (const record of page.records) {
      const sequence = BigInt(record.sequenceNumber);
      if (sequence > end) {
        done = true;
        break;
      }
      if (sequence >= start) events.push(record.event);
      if (sequence === end) done = true;
    }
    empty = page.records.length ? 0 : empty + 1;
    if (empty >= MAX_EMPTY_PAGES) break;
    iterator = page.nextIterator;
  }
  return { events, missing: Math.max(0, batch.batchSize - events.length) };
}

// ---------------------------------------------------------------------------------------------------------
// Adapters: SQS, DynamoDB Streams / Kinesis, Lambda

export interface AwsRedriveOptions {
  consumer: StreamConsumer;
  /** Default: the SDK's (AWS_REGION, profile…). */
  region?: string;
  /** Default: the SDK's credential chain. */
  credentials?: Credentials;
  /** Per-service endpoints (the local platform's); default: AWS. */
  endpoints?: { sqs?: string; lambda?: string; dynamodbStreams?: string; kinesis?: string };
  /** The on-failure queue: its URL, or its name (default: the consumer's queue name, with `prefix-` when given). */
  queueUrl?: string;
  queueName?: string;
  /** The function to invoke; default the consumer's id, with `prefix-` when given. */
  functionName?: string;
  /** Physical names are `${prefix}-${name}` in a deployed stage. */
  prefix?: string;
  /** How long a received message stays hidden while the run lasts. Default 900 s (a Lambda's longest run). */
  visibilityTimeoutSeconds?: number;
}

export interface AwsRedrive extends RedrivePorts {
  queueUrl: string;
  functionName: string;
  close(): void;
}

export async function awsRedrivePorts(options: AwsRedriveOptions): Promise<AwsRedrive> {
  const physical = consumerPhysicalNames(options.consumer, options.prefix);
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const sqs = new SQSClient({ ...common, ...(options.endpoints?.sqs ? { endpoint: options.endpoints.sqs } : {}) });
  const lambda = new LambdaClient({
    ...common,
    ...(options.endpoints?.lambda ? { endpoint: options.endpoints.lambda } : {}),
  });
  const sources = new Map<string, Promise<StreamSource>>();
  const close = () => {
    sqs.destroy();
    lambda.destroy();
    for (const source of sources.values())
      void source.then(
        (s) => s.close(),
        () => undefined,
      );
  };
  try {
    const functionName = options.functionName ?? physical.functionName;
    // Fails fast on a function that does not exist; the role is what Kinesis records name as invokeIdentityArn.
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const queueUrl =
      options.queueUrl ??
      (await sqs.send(new GetQueueUrlCommand({ QueueName: options.queueName ?? physical.queueName }))).QueueUrl!;
    const region = options.region ?? (await sqs.config.region());
    const visibility = options.visibilityTimeoutSeconds ?? 900;

    const sourceFor = streamSourceOpener({ options, region, invokeIdentityArn: configuration.Role ?? '' }, sources);
    return {
      queueUrl,
      functionName,
      queue: sqsFailureQueue(sqs, queueUrl, visibility),
      reader: streamReader(sourceFor),
      fn: lambdaConsumer(lambda, functionName),
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}

/** Opens each stream a failure record names once (a DynamoDB stream or a Kinesis stream), kept in `sources`. */
function streamSourceOpener(
  { options, region, invokeIdentityArn }: { options: AwsRedriveOptions; region: string; invokeIdentityArn: string },
  sources: Map<string, Promise<StreamSource>>,
): (batch: BatchRange) => Promise<StreamSource> {
  return (batch: BatchRange): Promise<StreamSource> => {
    let source = sources.get(batch.streamArn);
    if (!source) {
      source =
        batch.source === 'dynamodb'
          ? Promise.resolve(
              sdkDynamoDbStreamSource({
                streamArn: batch.streamArn,
                region,
                ...(options.credentials ? { credentials: options.credentials } : {}),
                ...(options.endpoints?.dynamodbStreams ? { endpoint: options.endpoints.dynamodbStreams } : {}),
              }),
            )
          : kinesisStreamSource({
              streamName: batch.streamArn.split(':stream/')[1] ?? batch.streamArn,
              region,
              ...(options.credentials ? { credentials: options.credentials } : {}),
              ...(options.endpoints?.kinesis ? { endpoint: options.endpoints.kinesis } : {}),
              invokeIdentityArn,
            });
      sources.set(batch.streamArn, source);
      // A stream that cannot be opened is tried again for the next message.
      source.catch(() => sources.delete(batch.streamArn));
    }
    return source;
  };
}

/** The consumer's on-failure queue. */
function sqsFailureQueue(sqs: SQSClient, queueUrl: string, visibility: number): RedrivePorts['queue'] {
  return {
    async receive(max) {
      const { Messages } = await sqs.send(
        // A short long-poll: SQS's short polls sample only some servers and may answer empty.
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(Math.max(max, 1), 10),
          WaitTimeSeconds: 1,
          VisibilityTimeout: visibility,
        }),
      );
      return (Messages ?? []).map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
      }));
    },
    async remove(message) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
    },
    async release(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const Entries = messages
          .slice(i, i + 10)
          .map((m, j) => ({ Id: String(j), ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 }));
        await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries }));
      }
    },
  };
}

/** Reads a failure record's range again; a stream gone since counts its records as missing. */
function streamReader(sourceFor: (batch: BatchRange) => Promise<StreamSource>): RedrivePorts['reader'] {
  return {
    async read(batch) {
      let source: StreamSource;
      try {
        source = await sourceFor(batch);
      } catch (e) {
        if (isGone(e)) return { events: [], missing: batch.batchSize };
        throw e;
      }
      return readRange(source, batch);
    },
  };
}

/** The consumer function, invoked through the Lambda API. */
function lambdaConsumer(lambda: LambdaClient, functionName: string): RedrivePorts['fn'] {
  return {
    async invoke(event) {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
      );
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      const result = text ? (JSON.parse(text) as unknown) : null;
      if (out.FunctionError) {
        const error = (result ?? {}) as { errorType?: string; errorMessage?: string };
        return {
          kind: 'error',
          errorType: error.errorType ?? out.FunctionError,
          errorMessage: error.errorMessage ?? text,
        };
      }
      const failures = (result as { batchItemFailures?: { itemIdentifier?: string }[] } | null)?.batchItemFailures;
      if (Array.isArray(failures) && failures.length)
        return { kind: 'partial', failed: failures.map((f) => String(f?.itemIdentifier ?? '')) };
      return { kind: 'ok' };
    },
  };
}

export const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

/** One line per message, for the command's output. */
export function describeReport(report: MessageReport): string {
  const range = report.batch
    ? `${report.batch.source === 'dynamodb' ? 'DynamoDB stream' : 'Kinesis'} ${report.batch.shardId} ${report.batch.startSequenceNumber}…${report.batch.endSequenceNumber} (${records(report.batch.batchSize)})`
    : '';
  const o = report.outcome;
  const gone = 'missing' in o && o.missing ? `; ${o.missing} no longer in the stream (message kept)` : '';
  switch (o.kind) {
    case 'redriven':
      return `${report.messageId} ${range}: redriven ${records(o.records)}, message deleted`;
    case 'would-redrive':
      return `${report.messageId} ${range}: would redrive ${records(o.records)}${gone}`;
    case 'still-failing':
      return `${report.messageId} ${range}: still failing (${o.reason}), message kept${gone}`;
    case 'trimmed':
      return `${report.messageId} ${range}: redriven ${records(o.records)}${gone}`;
    case 'unreadable':
      return `${report.messageId} ${range}: ${o.reason} (message kept)`;
  }
}
