/**
 * Local event source mappings: pollers that read DynamoDB Local's Streams or kinesalite's shards and invoke
 * a handler with the same event shapes and batch semantics as Lambda's stream event source mappings.
 *
 * Implemented (per shard, one batch in flight at a time, so records of a shard are handled in order):
 * - batchSize, maximumBatchingWindowMs, startingPosition TRIM_HORIZON | LATEST (for the shards of the first
 *   listing that have no checkpoint; shards found later are read from TRIM_HORIZON); a child shard is read
 *   only once its parent is finished, as Lambda does;
 * - ReportBatchItemFailures: `{ batchItemFailures: [{ itemIdentifier }] }` (the sequence number) checkpoints
 *   before the earliest failed record and retries from it; an identifier that is empty or not in the batch
 *   fails the whole batch, as in Lambda; an empty list is success;
 * - bisectBatchOnFunctionError: a thrown error splits the batch in two and the halves are retried in order;
 *   splitting does not count toward the retry quota (as in Lambda), so an isolated poison record is invoked
 *   1 + maximumRetryAttempts times;
 * - maximumRetryAttempts (-1, the default, retries forever), with exponential back-off between retries;
 * - maximumRecordAgeSeconds (-1, the default, never expires): records older than that when a batch is about
 *   to be invoked (or retried) go to the on-failure destination unprocessed, with the condition
 *   `RecordAgeExceeded`; a record's age is counted from its arrival in the stream (DynamoDB Streams gives it
 *   to the second);
 * - an on-failure destination: when retries are exhausted, a failure record shaped like Lambda's
 *   (requestContext, responseContext, version, timestamp, DDBStreamBatchInfo | KinesisBatchInfo) is sent to an
 *   SQS queue and the records are skipped; without a destination they are discarded;
 * - checkpoints (last processed sequence number per shard, and finished shards) in memory and, optionally,
 *   in a JSON file written after each batch, so a restart resumes after the last processed record.
 *
 * Not implemented: parallelizationFactor (always 1), tumbling windows, filter
 * criteria, the 6 MB payload limit, the function's timeout/concurrency. Delivery is at least once: a batch
 * in flight when `stop()` is called is delivered again after a restart.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  dynamoDbStreamSource,
  IteratorExpired,
  localKinesisStreamSource,
  RecordsTrimmed,
  type Credentials,
  type SourceRecord,
  type StartPosition,
  type StreamSource,
} from './esm/sources';

export type EventSourceKind = { kind: 'dynamodb'; endpoint: string; tableName: string } | { kind: 'kinesis'; endpoint: string; streamName: string };

export interface BatchItemFailuresResponse {
  batchItemFailures?: { itemIdentifier?: string }[];
}

export interface EventSourceMappingOptions {
  source: EventSourceKind;
  /**
   * Invoked with `{ Records: [...] }` — a DynamoDBStreamEvent or a KinesisStreamEvent of `aws-lambda`'s types,
   * e.g. a handler module's export called through localInvoker — and may return `{ batchItemFailures }`
   * when reportBatchItemFailures is on.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (event: { Records: any[] }) => Promise<unknown> | unknown;
  /** Default eu-west-2. Also the records' awsRegion. */
  region?: string;
  /** Default local/local. */
  credentials?: Credentials;
  /** For the failure record's functionArn. Default `local-esm`. */
  functionName?: string;
  /** Default 100, as in Lambda. */
  batchSize?: number;
  /** Default 0: invoke with whatever one read returned. */
  maximumBatchingWindowMs?: number;
  /** For shards without a checkpoint. Default TRIM_HORIZON. */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Default false. */
  reportBatchItemFailures?: boolean;
  /** Default false. */
  bisectBatchOnFunctionError?: boolean;
  /** -1 (default) retries until the records expire (maximumRecordAgeSeconds). */
  maximumRetryAttempts?: number;
  /** Records older than this are sent to the on-failure destination instead of the function. -1 (default): never. */
  maximumRecordAgeSeconds?: number;
  /** Where failure records go when retries are exhausted. */
  onFailure?: { queueUrl: string; endpoint?: string };
  /** A JSON file the checkpoints are kept in across restarts. */
  checkpointFile?: string;
  /** How long a shard with nothing new waits before reading again. Default 250 ms. */
  pollIntervalMs?: number;
  /** How often new shards are looked for. Default 5000 ms. */
  shardDiscoveryIntervalMs?: number;
  /** First retry delay, doubled per retry up to maxRetryDelayMs. Default 100 ms / 5000 ms. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Kinesis records' invokeIdentityArn. */
  invokeIdentityArn?: string;
  /** Errors reading the stream, handler errors, failed destination sends; default console.error. */
  onError?: (error: unknown, where: string) => void;
}

export interface ShardStats {
  shardId: string;
  parentShardId?: string;
  checkpoint?: string;
  finished: boolean;
  inFlight: boolean;
  buffered: number;
}

export interface EventSourceMappingStats {
  sourceArn: string;
  shards: ShardStats[];
  invocations: number;
  failedInvocations: number;
  /** Batches fully handled (delivered, or sent to the destination). */
  batches: number;
  recordsDelivered: number;
  bisections: number;
  partialFailures: number;
  /** Records sent to the on-failure destination, and the failure records sent. */
  recordsToDestination: number;
  destinationMessages: number;
  recordsDiscarded: number;
  /** Records that reached maximumRecordAgeSeconds before they were handled (sent on, or discarded). */
  recordsExpired: number;
  lastError?: string;
}

export interface EventSourceMapping {
  stop(): Promise<void>;
  /** Resolves once every shard has been read to its end (as of the call) and nothing is in flight. */
  idle(timeoutMs?: number): Promise<void>;
  stats(): EventSourceMappingStats;
}

interface CheckpointFile {
  version: 1;
  sourceArn: string;
  shards: Record<string, { sequenceNumber?: string; finished?: boolean }>;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  checkpoint?: string;
  finished: boolean;
  started: boolean;
  inFlight: boolean;
  buffer: SourceRecord[];
  /** Tick of the start of the last read that found nothing new while nothing was buffered. */
  caughtUpAt: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function startEventSourceMapping(options: EventSourceMappingOptions): Promise<EventSourceMapping> {
  const region = options.region ?? 'eu-west-2';
  const credentials = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
  const functionName = options.functionName ?? 'local-esm';
  const functionArn = `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
  const batchSize = options.batchSize ?? 100;
  const windowMs = options.maximumBatchingWindowMs ?? 0;
  const maxRetries = options.maximumRetryAttempts ?? -1;
  const maxAgeMs = (options.maximumRecordAgeSeconds ?? -1) >= 0 ? options.maximumRecordAgeSeconds! * 1000 : -1;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const discoveryIntervalMs = options.shardDiscoveryIntervalMs ?? 5000;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
  const onError = options.onError ?? ((e: unknown, where: string) => console.error(`event source mapping (${where}):`, e));
  if (batchSize < 1) throw new Error('batchSize must be at least 1');

  const source: StreamSource =
    options.source.kind === 'dynamodb'
      ? await dynamoDbStreamSource({ endpoint: options.source.endpoint, tableName: options.source.tableName, region, credentials })
      : await localKinesisStreamSource({
          endpoint: options.source.endpoint,
          streamName: options.source.streamName,
          region,
          credentials,
          invokeIdentityArn: options.invokeIdentityArn ?? `arn:aws:iam::000000000000:role/${functionName}-role`,
        });
  const sqs = options.onFailure
    ? new SQSClient({ region, credentials, ...(options.onFailure.endpoint ? { endpoint: options.onFailure.endpoint } : {}) })
    : undefined;

  const stats: EventSourceMappingStats = {
    sourceArn: source.arn,
    shards: [],
    invocations: 0,
    failedInvocations: 0,
    batches: 0,
    recordsDelivered: 0,
    bisections: 0,
    partialFailures: 0,
    recordsToDestination: 0,
    destinationMessages: 0,
    recordsDiscarded: 0,
    recordsExpired: 0,
  };
  const report = (e: unknown, where: string) => {
    stats.lastError = `${where}: ${(e as Error)?.message ?? String(e)}`;
    onError(e, where);
  };

  // --- checkpoints ----------------------------------------------------------------------------------------
  const shards = new Map<string, ShardState>();
  const saved: CheckpointFile['shards'] = {};
  if (options.checkpointFile) {
    try {
      const data = JSON.parse(await readFile(options.checkpointFile, 'utf8')) as CheckpointFile;
      // A table re-created since gets a new stream: its old checkpoints mean nothing.
      if (data.version === 1 && data.sourceArn === source.arn) Object.assign(saved, data.shards);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${options.checkpointFile} is not a readable checkpoint file: ${(e as Error).message}`);
    }
  }
  let writing: Promise<void> = Promise.resolve();
  const persist = () => {
    const file = options.checkpointFile;
    if (!file) return Promise.resolve();
    const data: CheckpointFile = { version: 1, sourceArn: source.arn, shards: { ...saved } };
    for (const s of shards.values()) data.shards[s.shardId] = { ...(s.checkpoint ? { sequenceNumber: s.checkpoint } : {}), ...(s.finished ? { finished: true } : {}) };
    writing = writing.then(async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(data, null, 2));
        await rename(temporary, file);
      } catch (e) {
        report(e, `writing ${file}`);
      }
    });
    return writing;
  };

  // --- delivery -------------------------------------------------------------------------------------------
  const stopController = new AbortController();
  const stopping = stopController.signal;
  let tick = 0;
  const nextTick = () => ++tick;

  type Outcome = { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'error'; error: unknown; unhandled: boolean };

  async function invoke(records: SourceRecord[]): Promise<Outcome> {
    stats.invocations++;
    let result: unknown;
    try {
      result = await options.handler({ Records: records.map((r) => r.event) });
    } catch (error) {
      stats.failedInvocations++;
      return { kind: 'error', error, unhandled: true };
    }
    if (!options.reportBatchItemFailures || !result || typeof result !== 'object') return { kind: 'ok' };
    const failures = (result as BatchItemFailuresResponse).batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { kind: 'ok' };
    let from = Infinity;
    for (const failure of failures) {
      const index = failure?.itemIdentifier ? records.findIndex((r) => r.sequenceNumber === failure.itemIdentifier) : -1;
      // As in Lambda: a malformed or unknown identifier fails the whole batch.
      if (index < 0) {
        stats.failedInvocations++;
        return { kind: 'error', error: new Error(`batchItemFailures names ${JSON.stringify(failure?.itemIdentifier)}, not a record of the batch`), unhandled: false };
      }
      from = Math.min(from, index);
    }
    stats.partialFailures++;
    return { kind: 'partial', from };
  }

  async function sendToDestination(
    shardId: string,
    records: SourceRecord[],
    attempts: number,
    unhandled: boolean,
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded' = 'RetryAttemptsExhausted',
  ) {
    if (!sqs || !options.onFailure) {
      stats.recordsDiscarded += records.length;
      return;
    }
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const message = {
      requestContext: { requestId: randomUUID(), functionArn, condition, approximateInvokeCount: attempts },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(unhandled ? { functionError: 'Unhandled' } : {}) },
      version: '1.0',
      timestamp: new Date().toISOString(),
      [source.batchInfoKey]: {
        shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: first.arrival.toISOString(),
        approximateArrivalOfLastRecord: last.arrival.toISOString(),
        batchSize: records.length,
        streamArn: source.arn,
      },
    };
    // The records are skipped only once the failure record is safely in the queue.
    for (let attempt = 0; ; attempt++) {
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: options.onFailure.queueUrl, MessageBody: JSON.stringify(message) }));
        stats.destinationMessages++;
        stats.recordsToDestination += records.length;
        return;
      } catch (e) {
        report(e, 'sending to the on-failure destination');
        if (stopping.aborted) throw e;
        await sleep(Math.min(retryDelayMs * 2 ** attempt, maxRetryDelayMs), stopping);
      }
    }
  }

  /** Handles one batch to its end; false when stopped before it was. */
  async function processBatch(shard: ShardState, records: SourceRecord[]): Promise<boolean> {
    const queue: { records: SourceRecord[]; attempts: number }[] = [{ records, attempts: 0 }];
    while (queue.length) {
      if (stopping.aborted) return false;
      const item = queue[0]!;
      if (maxAgeMs >= 0) {
        // A shard's records arrive in order: the expired ones are a prefix.
        const now = Date.now();
        const live = item.records.findIndex((r) => now - r.arrival.getTime() <= maxAgeMs);
        const expired = live === -1 ? item.records.length : live;
        if (expired > 0) {
          try {
            await sendToDestination(shard.shardId, item.records.slice(0, expired), item.attempts, false, 'RecordAgeExceeded');
          } catch {
            return false;
          }
          stats.recordsExpired += expired;
          item.records = item.records.slice(expired);
          if (!item.records.length) {
            queue.shift();
            continue;
          }
        }
      }
      const outcome = await invoke(item.records);
      if (outcome.kind === 'ok') {
        stats.recordsDelivered += item.records.length;
        queue.shift();
        continue;
      }
      if (outcome.kind === 'error') {
        if (outcome.unhandled) report(outcome.error, `handler (${shard.shardId})`);
        if (outcome.unhandled && options.bisectBatchOnFunctionError && item.records.length > 1) {
          // Splitting does not count toward the retry quota.
          const half = Math.ceil(item.records.length / 2);
          queue.splice(0, 1, { records: item.records.slice(0, half), attempts: item.attempts }, { records: item.records.slice(half), attempts: item.attempts });
          stats.bisections++;
          continue;
        }
      } else {
        // Everything before the earliest failed record is done.
        stats.recordsDelivered += outcome.from;
        item.records = item.records.slice(outcome.from);
      }
      item.attempts++;
      if (maxRetries >= 0 && item.attempts > maxRetries) {
        try {
          await sendToDestination(shard.shardId, item.records, item.attempts, outcome.kind === 'error' && outcome.unhandled);
        } catch {
          return false;
        }
        queue.shift();
        continue;
      }
      await sleep(Math.min(retryDelayMs * 2 ** (item.attempts - 1), maxRetryDelayMs), stopping);
    }
    return true;
  }

  // --- per-shard pollers ----------------------------------------------------------------------------------
  const loops = new Set<Promise<void>>();

  async function runShard(shard: ShardState) {
    const known = saved[shard.shardId];
    let position: StartPosition = shard.checkpoint
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.checkpoint }
      : // Shards found after the first listing (children of a split or a roll-over) are read from their start.
        known || !initialListing
        ? { type: 'TRIM_HORIZON' }
        : { type: options.startingPosition ?? 'TRIM_HORIZON' };
    let iterator: string | undefined;
    let needIterator = true;
    let bufferSince = 0;
    let errors = 0;
    while (!stopping.aborted) {
      try {
        const readStart = nextTick();
        let closed = false;
        if (needIterator) {
          iterator = await source.getIterator(shard.shardId, position);
          needIterator = false;
          closed = !iterator;
        }
        let got = 0;
        if (iterator && shard.buffer.length < batchSize) {
          const page = await source.getRecords(shard.shardId, iterator, batchSize - shard.buffer.length);
          got = page.records.length;
          if (got && !shard.buffer.length) bufferSince = Date.now();
          shard.buffer.push(...page.records);
          const lastRead = page.records[page.records.length - 1];
          if (lastRead) position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastRead.sequenceNumber };
          iterator = page.nextIterator;
          closed = !iterator;
        } else if (!iterator) {
          closed = true;
        }
        errors = 0;
        if (!got && !shard.buffer.length) shard.caughtUpAt = readStart;
        const windowLeft = windowMs - (Date.now() - bufferSince);
        if (shard.buffer.length && (shard.buffer.length >= batchSize || windowLeft <= 0 || closed)) {
          const batch = shard.buffer.splice(0, batchSize);
          shard.inFlight = true;
          const done = await processBatch(shard, batch).finally(() => (shard.inFlight = false));
          if (!done) return;
          stats.batches++;
          shard.checkpoint = batch[batch.length - 1]!.sequenceNumber;
          if (shard.buffer.length) bufferSince = Date.now();
          await persist();
          continue;
        }
        if (closed && !shard.buffer.length) {
          shard.finished = true;
          await persist();
          startReadyShards();
          return;
        }
        await sleep(got && shard.buffer.length < batchSize ? Math.min(windowLeft, 20) : shard.buffer.length ? Math.min(windowLeft, pollIntervalMs) : pollIntervalMs, stopping);
      } catch (e) {
        if (e instanceof IteratorExpired) {
          needIterator = true;
          continue;
        }
        // DynamoDB Local answers TrimmedDataAccessException to a read of a new table's stream around its first
        // writes (a known emulator bug: aws/aws-sdk-java#2923); a fresh iterator at the same position reads on.
        // Reported only when it happens twice running, as a stream really trimmed past the position would.
        if (!(e instanceof RecordsTrimmed && errors === 0)) report(e, `reading ${shard.shardId}`);
        needIterator = true;
        // Records read but not yet delivered are read again from the last checkpoint.
        shard.buffer.length = 0;
        position = shard.checkpoint ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.checkpoint } : position;
        await sleep(Math.min(retryDelayMs * 2 ** errors++, maxRetryDelayMs), stopping);
      }
    }
  }

  let initialListing = true;

  /** Starts every shard whose parent is finished (or unknown, e.g. trimmed away). */
  function startReadyShards() {
    for (const shard of shards.values()) {
      if (shard.started || shard.finished) continue;
      const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
      if (parent && !parent.finished) continue;
      shard.started = true;
      const loop = runShard(shard).catch((e) => report(e, `shard ${shard.shardId}`));
      loops.add(loop);
      void loop.finally(() => loops.delete(loop));
    }
  }

  let discoveredAt = 0;
  async function discover() {
    const start = nextTick();
    const listed = await source.listShards();
    for (const s of listed) {
      if (shards.has(s.shardId)) continue;
      const known = saved[s.shardId];
      shards.set(s.shardId, {
        shardId: s.shardId,
        ...(s.parentShardId ? { parentShardId: s.parentShardId } : {}),
        ...(known?.sequenceNumber ? { checkpoint: known.sequenceNumber } : {}),
        finished: known?.finished ?? false,
        started: false,
        inFlight: false,
        buffer: [],
        caughtUpAt: 0,
      });
    }
    startReadyShards();
    initialListing = false;
    discoveredAt = start;
  }

  await discover();
  const discovery = (async () => {
    while (!stopping.aborted) {
      await sleep(discoveryIntervalMs, stopping);
      if (stopping.aborted) break;
      try {
        await discover();
      } catch (e) {
        report(e, 'listing shards');
      }
    }
  })();

  return {
    async stop() {
      stopController.abort();
      await Promise.allSettled([discovery, ...loops]);
      await persist();
      source.close();
      sqs?.destroy();
    },
    async idle(timeoutMs = 30_000) {
      const since = nextTick();
      const deadline = Date.now() + timeoutMs;
      // A fresh listing makes sure shards created since are included.
      await discover();
      for (;;) {
        const busy = [...shards.values()].filter((s) => !s.finished && (s.inFlight || s.buffer.length > 0 || s.caughtUpAt < since));
        if (!busy.length && discoveredAt >= since) return;
        if (stopping.aborted) throw new Error('event source mapping stopped');
        if (Date.now() > deadline) throw new Error(`event source mapping not idle after ${timeoutMs} ms (busy: ${busy.map((s) => s.shardId).join(', ')})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stats() {
      return {
        ...stats,
        shards: [...shards.values()].map((s) => ({
          shardId: s.shardId,
          ...(s.parentShardId ? { parentShardId: s.parentShardId } : {}),
          ...(s.checkpoint ? { checkpoint: s.checkpoint } : {}),
          finished: s.finished,
          inFlight: s.inFlight,
          buffered: s.buffer.length,
        })),
      };
    },
  };
}
