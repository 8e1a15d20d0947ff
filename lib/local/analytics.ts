/**
 * The stream consumers on the local substrate — analytics' loaders and the search indexer (lib/stream-consumers.ts):
 * for each, its on-failure queue on the local SQS and a local event source mapping with the consumer's own
 * settings (the ones CDK gives the Lambda ESM), invoking the same handler module in-process. The consumers load the warehouse named by
 * WAREHOUSE_PGLITE_DIR: one PGlite per process and directory, shared with the analytics API and the health
 * check (functions/analytics/loaders/warehouse-env.ts), opened on the first batch rather than at start.
 */
import path from 'node:path';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { closeSharedWarehouses } from '../../functions/analytics/loaders/warehouse-env';
import { consumerPhysicalNames, streamConsumers as allConsumers, type StreamConsumer } from '../stream-consumers';
import type { StreamKey } from '../streams';
import type { TableKey } from '../tables';
import { startEventSourceMapping, type EventSourceMapping, type EventSourceMappingOptions, type EventSourceMappingStats } from './event-source-mappings/mapping';
import { localInvoker } from './lambda/context';

type Credentials = { accessKeyId: string; secretAccessKey: string };

export interface AnalyticsPipelineOptions {
  projectRoot: string;
  region: string;
  credentials: Credentials;
  /** Physical names are `${prefix}-${name}` (the on-failure queues). */
  prefix: string;
  dynamoEndpoint: string;
  kinesisEndpoint: string;
  sqsEndpoint: string;
  tableNames: Record<TableKey, string>;
  streamNames: Record<StreamKey, string>;
  /** Where the warehouse lives: a directory, or `memory://` for one that is not persisted. */
  warehouseDir: string;
  /** Checkpoints go to `${checkpointDir}/<consumer id>.json`; in memory only when absent. */
  checkpointDir?: string;
  /** Default: every consumer of lib/stream-consumers.ts. */
  consumers?: StreamConsumer[];
  /** Poller timings (tests shorten them); the consumers' own settings always come from lib/stream-consumers.ts. */
  tuning?: Pick<EventSourceMappingOptions, 'pollIntervalMs' | 'shardDiscoveryIntervalMs' | 'retryDelayMs' | 'maxRetryDelayMs'>;
  /** Errors reading a stream, failed batches, failed destination sends. Default: console.error. */
  onError?: (consumerId: string, error: unknown, where: string) => void;
}

export interface AnalyticsConsumerRuntime {
  consumer: StreamConsumer;
  mapping: EventSourceMapping;
  /** Its on-failure queue on the local SQS, named as in a deployed stage (consumerPhysicalNames). */
  failureQueueUrl: string;
  /** The consumer's handler, as the mapping invokes it (for a redrive or a direct invocation). */
  invoke: (event: { Records: unknown[] }) => Promise<unknown>;
}

export interface AnalyticsPipeline {
  /** What the handlers need in their environment (already applied to this process). */
  env: Record<string, string>;
  /** The on-failure queue of each consumer, by consumer id. */
  failureQueueUrls: Record<string, string>;
  consumers: Record<string, AnalyticsConsumerRuntime>;
  stats(): Record<string, EventSourceMappingStats>;
  /** Resolves when every mapping has read its streams to their end (as of the call) and nothing is in flight. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops the mappings (a batch in flight is finished or abandoned for redelivery), then closes the warehouse. */
  stop(): Promise<void>;
}

/** The environment of the functions that use the warehouse locally. */
export const analyticsEnv = (warehouseDir: string): Record<string, string> => ({ WAREHOUSE_PGLITE_DIR: warehouseDir });

export async function startAnalyticsPipeline(options: AnalyticsPipelineOptions): Promise<AnalyticsPipeline> {
  const consumers = options.consumers ?? allConsumers;
  const env = analyticsEnv(options.warehouseDir);
  // The handler modules parse their environment when first loaded, which is on the first batch.
  Object.assign(process.env, env);
  const onError = options.onError ?? ((id: string, e: unknown, where: string) => console.error(`stream consumer ${id} (${where}):`, e));

  const sqs = new SQSClient({ region: options.region, endpoint: options.sqsEndpoint, credentials: options.credentials });
  const started: Record<string, AnalyticsConsumerRuntime> = {};
  try {
    const queueUrls = await Promise.all(
      consumers.map(async (consumer) => {
        const { QueueUrl } = await sqs.send(
          new CreateQueueCommand({ QueueName: consumerPhysicalNames(consumer, options.prefix).queueName, Attributes: { MessageRetentionPeriod: '1209600' } }),
        );
        return QueueUrl!;
      }),
    );
    // Started side by side: each is a few round trips to the emulators, and npm start waits for them.
    const starting = consumers.map(async (consumer, i) => {
      const invoke = localInvoker<{ Records: unknown[] }, unknown>(options.projectRoot, consumer);
      const source: EventSourceMappingOptions['source'] =
        consumer.source.kind === 'table'
          ? { kind: 'dynamodb', endpoint: options.dynamoEndpoint, tableName: options.tableNames[consumer.source.table] }
          : { kind: 'kinesis', endpoint: options.kinesisEndpoint, streamName: options.streamNames[consumer.source.stream] };
      const mapping = await startEventSourceMapping({
        ...options.tuning,
        source,
        handler: invoke,
        region: options.region,
        credentials: options.credentials,
        functionName: consumer.id,
        batchSize: consumer.batchSize,
        maximumBatchingWindowMs: consumer.maximumBatchingWindowSeconds * 1000,
        startingPosition: consumer.startingPosition,
        bisectBatchOnFunctionError: consumer.bisectBatchOnFunctionError,
        reportBatchItemFailures: consumer.reportBatchItemFailures,
        maximumRetryAttempts: consumer.maximumRetryAttempts,
        maximumRecordAgeSeconds: consumer.maximumRecordAgeSeconds,
        onFailure: { queueUrl: queueUrls[i]!, endpoint: options.sqsEndpoint },
        ...(options.checkpointDir ? { checkpointFile: path.join(options.checkpointDir, `${consumer.id}.json`) } : {}),
        onError: (e, where) => onError(consumer.id, e, where),
      });
      started[consumer.id] = { consumer, mapping, failureQueueUrl: queueUrls[i]!, invoke };
    });
    const failed = (await Promise.allSettled(starting)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (e) {
    await Promise.allSettled(Object.values(started).map((c) => c.mapping.stop()));
    throw e;
  } finally {
    sqs.destroy();
  }

  const runtimes = consumers.map((c) => started[c.id]!);
  let stopped: Promise<void> | undefined;
  return {
    env,
    failureQueueUrls: Object.fromEntries(runtimes.map((c) => [c.consumer.id, c.failureQueueUrl])),
    consumers: Object.fromEntries(runtimes.map((c) => [c.consumer.id, c])),
    stats: () => Object.fromEntries(runtimes.map((c) => [c.consumer.id, c.mapping.stats()])),
    caughtUp: async (timeoutMs = 30_000) => {
      await Promise.all(runtimes.map((c) => c.mapping.idle(timeoutMs)));
    },
    stop: () =>
      (stopped ??= (async () => {
        await Promise.allSettled(runtimes.map((c) => c.mapping.stop()));
        // Only once no batch can still be writing: the engine's files are then consistent on disk.
        await closeSharedWarehouses();
      })()),
  };
}
