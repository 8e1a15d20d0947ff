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
 *
 * Parts: poller.ts (shards), batching.ts (retries, bisect), destinations.ts (on-failure queue),
 * checkpoints.ts, sources.ts (DynamoDB Streams, Kinesis).
 */
import { BatchHandler } from './batching';
import { Checkpoints } from './checkpoints';
import { FailureDestination } from './destinations';
import { ShardPoller } from './poller';
import { dynamoDbStreamSource, localKinesisStreamSource, type StreamSource } from './sources';
import type {
  EventSourceMapping,
  EventSourceMappingOptions,
  EventSourceMappingStats,
  MappingContext,
  MappingSettings,
} from './types';

export type {
  BatchItemFailuresResponse,
  EventSourceKind,
  EventSourceMapping,
  EventSourceMappingOptions,
  EventSourceMappingStats,
  ShardStats,
} from './types';

export async function startEventSourceMapping(options: EventSourceMappingOptions): Promise<EventSourceMapping> {
  const settings = resolveSettings(options);
  const onError =
    options.onError ?? ((e: unknown, where: string) => console.error(`event source mapping (${where}):`, e));
  const source = await openSource(options);
  const stats = emptyStats(source.arn);
  const report = (e: unknown, where: string) => {
    stats.lastError = `${where}: ${(e as Error)?.message ?? String(e)}`;
    onError(e, where);
  };
  const checkpoints = await Checkpoints.load(options.checkpointFile, source.arn, report);
  const stopController = new AbortController();
  let tick = 0;
  const ctx: MappingContext = {
    options,
    settings,
    source,
    stats,
    report,
    stopping: stopController.signal,
    nextTick: () => ++tick,
  };
  const destination = new FailureDestination(ctx);
  const poller = new ShardPoller(ctx, checkpoints, new BatchHandler(ctx, destination));

  await poller.discover();
  const discovery = poller.discoverUntilStopped();

  return {
    async stop() {
      stopController.abort();
      await Promise.allSettled([discovery, poller.stopped()]);
      await poller.persist();
      source.close();
      destination.destroy();
    },
    idle: (timeoutMs = 30_000) => poller.idle(timeoutMs),
    stats() {
      return {
        ...stats,
        shards: [...poller.shards.values()].map((s) => ({
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

function resolveSettings(options: EventSourceMappingOptions): MappingSettings {
  const region = options.region ?? 'eu-west-2';
  const functionName = options.functionName ?? 'local-esm';
  const settings: MappingSettings = {
    functionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    batchSize: options.batchSize ?? 100,
    windowMs: options.maximumBatchingWindowMs ?? 0,
    maxRetries: options.maximumRetryAttempts ?? -1,
    maxAgeMs: (options.maximumRecordAgeSeconds ?? -1) >= 0 ? options.maximumRecordAgeSeconds! * 1000 : -1,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    discoveryIntervalMs: options.shardDiscoveryIntervalMs ?? 5000,
    retryDelayMs: options.retryDelayMs ?? 100,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 5000,
  };
  if (settings.batchSize < 1) throw new Error('batchSize must be at least 1');
  return settings;
}

function openSource(options: EventSourceMappingOptions): Promise<StreamSource> {
  const region = options.region ?? 'eu-west-2';
  const credentials = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
  const functionName = options.functionName ?? 'local-esm';
  return options.source.kind === 'dynamodb'
    ? dynamoDbStreamSource({
        endpoint: options.source.endpoint,
        tableName: options.source.tableName,
        region,
        credentials,
      })
    : localKinesisStreamSource({
        endpoint: options.source.endpoint,
        streamName: options.source.streamName,
        region,
        credentials,
        invokeIdentityArn: options.invokeIdentityArn ?? `arn:aws:iam::000000000000:role/${functionName}-role`,
      });
}

function emptyStats(sourceArn: string): EventSourceMappingStats {
  return {
    sourceArn,
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
}
