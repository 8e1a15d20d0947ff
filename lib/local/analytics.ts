/**
 * The stream consumers on the local substrate — analytics' loaders and the search indexer (lib/stream-consumers.ts):
 * for each, its on-failure queue on the local SQS and a local event source mapping with the consumer's own
 * settings (the ones CDK gives the Lambda ESM), invoking the same handler module in-process. The consumers, the
 * analytics API and the health check reach the warehouse as in AWS, through the Redshift Data API: the local one
 * (lib/local/redshift-data, startLocalWarehouse), named by AWS_ENDPOINT_URL_REDSHIFT_DATA.
 */
import path from 'node:path';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftDataWarehouse } from '../../functions/analytics/adapters/redshift-data-warehouse';
import { consumerPhysicalNames, streamConsumers as allConsumers, type StreamConsumer } from '../stream-consumers';
import type { StreamKey } from '../streams';
import type { TableKey } from '../tables';
import {
  startEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type EventSourceMappingStats,
} from './event-source-mappings/mapping';
import { localInvoker } from './lambda/local-invoker';
import { startRedshiftDataEmulator, type RedshiftDataEmulator, type WarehouseTarget } from './redshift-data/server';
import { WAREHOUSE_READER_ROLE } from '../../functions/analytics/ports';
import { newPassword, type WarehouseLogin } from './warehouse-wire/login';
import { readServerParameters, startWarehouseWire, type WarehouseWire } from './warehouse-wire/server';

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
  /** Checkpoints go to `${checkpointDir}/<consumer id>.json`; in memory only when absent. */
  checkpointDir?: string;
  /** Default: every consumer of lib/stream-consumers.ts. */
  consumers?: StreamConsumer[];
  /** Poller timings (tests shorten them); the consumers' own settings always come from lib/stream-consumers.ts. */
  tuning?: Pick<
    EventSourceMappingOptions,
    'pollIntervalMs' | 'shardDiscoveryIntervalMs' | 'retryDelayMs' | 'maxRetryDelayMs'
  >;
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
  // stats and caughtUp are closures, handed on without this object (the platform exposes them).
  stats: () => Record<string, EventSourceMappingStats>;
  /** Resolves when every mapping has read its streams to their end (as of the call) and nothing is in flight. */
  caughtUp: (timeoutMs?: number) => Promise<void>;
  /** Stops the mappings (a batch in flight is finished or abandoned for redelivery); the warehouse is the caller's to stop. */
  stop(): Promise<void>;
}

/** The local warehouse: one workgroup and database; the loaders' admin secret; an owner's database user. */
export const LOCAL_WAREHOUSE: WarehouseTarget = {
  workgroupName: 'ecicomm-local',
  database: 'ecicomm',
  adminSecretArn: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:ecicomm-local-warehouse-admin',
  adminDbUser: 'admin',
};

export interface LocalWarehouse {
  /** What the functions that use the warehouse need in their environment, as CDK gives them in AWS. */
  env: Record<string, string>;
  endpoint: string;
  /** Settles when the migrations run at start have (a failure is logged: the loaders try again on first use). */
  migrated: Promise<unknown>;
  /** SQL clients' way in (psql, DBeaver…): the Postgres protocol, read-only, as the reader. */
  sql: { url: string; port: number } & WarehouseLogin;
  /** Waits for the migrations, then stops the emulator and closes the engine. */
  stop(): Promise<void>;
}

/**
 * The warehouse on the local Redshift Data API (its engine in `dataDir`, or in memory without one), migrated at
 * start through the Data API with the same adapter and migrations as in AWS — in the background: the engine opens
 * in seconds, and the loaders and the API wait for it anyway. Migrating here rather than on a loader's first
 * batch means the analytics API (a reader, which never migrates) finds the schema on a fresh start.
 */
export interface LocalWarehouseOptions {
  port: number;
  region: string;
  credentials: Credentials;
  dataDir?: string;
  onError?: (e: unknown) => void;
  /** SQL clients' port (0: any free one) and the reader's password (a new one each run when absent). */
  sql?: { port: number; password?: string };
}

export async function startLocalWarehouse(options: LocalWarehouseOptions): Promise<LocalWarehouse> {
  const { sql: sqlOptions, ...emulatorOptions } = options;
  const emulator: RedshiftDataEmulator = await startRedshiftDataEmulator({
    ...emulatorOptions,
    warehouse: LOCAL_WAREHOUSE,
  });
  const login: WarehouseLogin = {
    user: WAREHOUSE_READER_ROLE,
    password: sqlOptions?.password || newPassword(),
    database: LOCAL_WAREHOUSE.database,
  };
  let wire: WarehouseWire;
  try {
    wire = await startWarehouseWire({
      port: sqlOptions?.port ?? 0,
      engine: emulator.database,
      login,
      readParameters: () => readServerParameters(emulator.database),
    });
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  const client = new RedshiftDataClient({
    region: options.region,
    endpoint: emulator.endpoint,
    credentials: options.credentials,
  });
  const admin = new RedshiftDataWarehouse(client, {
    workgroupName: LOCAL_WAREHOUSE.workgroupName,
    database: LOCAL_WAREHOUSE.database,
    secretArn: LOCAL_WAREHOUSE.adminSecretArn,
  });
  const migrated = admin
    .migrate()
    .catch((e: unknown) => (options.onError ?? ((error) => console.error('warehouse migrations:', error)))(e));
  return {
    env: {
      AWS_ENDPOINT_URL_REDSHIFT_DATA: emulator.endpoint,
      AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: emulator.endpoint,
      REDSHIFT_WORKGROUP: LOCAL_WAREHOUSE.workgroupName,
      REDSHIFT_DATABASE: LOCAL_WAREHOUSE.database,
      REDSHIFT_SECRET_ARN: LOCAL_WAREHOUSE.adminSecretArn,
    },
    endpoint: emulator.endpoint,
    migrated,
    sql: { url: wire.url, port: wire.port, ...login },
    stop: async () => {
      await migrated;
      client.destroy();
      await wire.stop();
      await emulator.stop();
    },
  };
}

export async function startAnalyticsPipeline(options: AnalyticsPipelineOptions): Promise<AnalyticsPipeline> {
  const consumers = options.consumers ?? allConsumers;
  const env: Record<string, string> = {};
  const onError =
    options.onError ??
    ((id: string, e: unknown, where: string) => console.error(`stream consumer ${id} (${where}):`, e));

  const sqs = new SQSClient({
    region: options.region,
    endpoint: options.sqsEndpoint,
    credentials: options.credentials,
  });
  const started: Record<string, AnalyticsConsumerRuntime> = {};
  try {
    const queueUrls = await Promise.all(
      consumers.map(async (consumer) => {
        const { QueueUrl } = await sqs.send(
          new CreateQueueCommand({
            QueueName: consumerPhysicalNames(consumer, options.prefix).queueName,
            Attributes: { MessageRetentionPeriod: '1209600' },
          }),
        );
        return QueueUrl!;
      }),
    );
    // Started side by side: each is a few round trips to the emulators, and npm start waits for them.
    const starting = consumers.map(async (consumer, i) => {
      started[consumer.id] = await startConsumer(options, consumer, queueUrls[i], (e, where) =>
        onError(consumer.id, e, where),
      );
    });
    const failed = (await Promise.allSettled(starting)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (e) {
    await Promise.allSettled(Object.values(started).map((c) => c.mapping.stop()));
    throw e;
  } finally {
    sqs.destroy();
  }

  const runtimes = consumers.map((c) => started[c.id]);
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
      })()),
  };
}

/** One consumer's event source mapping, polling its table's stream or its Kinesis stream into its handler. */
async function startConsumer(
  options: AnalyticsPipelineOptions,
  consumer: StreamConsumer,
  failureQueueUrl: string,
  onError: (e: unknown, where: string) => void,
): Promise<AnalyticsConsumerRuntime> {
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
    onFailure: { queueUrl: failureQueueUrl, endpoint: options.sqsEndpoint },
    ...(options.checkpointDir ? { checkpointFile: path.join(options.checkpointDir, `${consumer.id}.json`) } : {}),
    onError,
  });
  return { consumer, mapping, failureQueueUrl, invoke };
}
