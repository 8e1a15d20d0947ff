/**
 * What a stream consumer is (lib/stream-consumers.ts lists them all): a function reading a table's DynamoDB stream
 * or a Kinesis stream behind an event source mapping, with the mapping's settings and its on-failure queue.
 */
import type { FunctionSpec, SearchAccess, WarehouseAccess } from './function-spec';
import type { StreamKey } from './streams';
import type { TableKey } from './tables';

export type ConsumerSource = { kind: 'table'; table: TableKey } | { kind: 'stream'; stream: StreamKey };

export interface StreamConsumer extends FunctionSpec {
  source: ConsumerSource;
  /** Lambda's ESM settings; the local pollers apply the same ones. */
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  /** Retries of a failing batch (after bisecting) before its records go to the on-failure queue. */
  maximumRetryAttempts: number;
  /** Records older than this go to the on-failure queue unprocessed. */
  maximumRecordAgeSeconds: number;
  /** The SQS queue (logical name; physical `${prefix}-${name}`) the failure records go to. */
  onFailureQueueName: string;
  /** The analytics loaders: what they may do in the warehouse. */
  warehouse?: WarehouseAccess;
  /** The search indexer: what it may do with the products index. */
  search?: SearchAccess;
  /** The domain events' publishers (lib/events.ts): they put events on the domain events bus. */
  domainEvents?: 'publish';
}

/**
 * The delivery every consumer shares: small batches for freshness, and a poison record costs only itself.
 * No batching window (Lambda's default): a shard has one batch in flight at a time, so while a batch runs the
 * next one gathers by itself and a busy stream gets full batches anyway; a window only holds back the last,
 * partial batch. With a 1 s window a confirmed order took 1.2 s (p50) to be counted locally, and a replayed
 * month's last records waited a full second after everything before them was loaded.
 */
export const STREAM_DELIVERY = {
  maximumBatchingWindowSeconds: 0,
  startingPosition: 'TRIM_HORIZON',
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
  maximumRetryAttempts: 5,
  maximumRecordAgeSeconds: 86_400,
} as const;

/**
 * A consumer's deployed names in a stage whose physical names start with `prefix-` (none locally): the CDK
 * names the function and its on-failure queue so, and the redrive CLI finds them so.
 */
export function consumerPhysicalNames(
  consumer: Pick<StreamConsumer, 'id' | 'onFailureQueueName'>,
  prefix?: string,
): { functionName: string; queueName: string } {
  const named = (name: string) => (prefix ? `${prefix}-${name}` : name);
  return { functionName: named(consumer.id), queueName: named(consumer.onFailureQueueName) };
}
