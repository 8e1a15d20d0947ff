/**
 * The analytics context's stream consumers, as data — like the route table and the saga: the CDK app builds
 * a function, an event source mapping, an on-failure queue and alarms per entry (lib/contexts/analytics.ts),
 * and the local substrate runs the same handler modules behind pollers with the same settings
 * (lib/local/event-source-mappings.ts).
 */
import type { FunctionSpec } from './saga';
import type { StreamKey } from './streams';
import type { TableKey } from './tables';

/**
 * What a function may do in the warehouse: load it (the consumers: the admin credentials, migrations), read it
 * (the analytics API: its own IAM identity, mapped to the read-only reader role), or only see whether it is up
 * (the health check: the workgroup's status, no SQL).
 */
export type WarehouseAccess = 'read' | 'write' | 'status';

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
  warehouse: WarehouseAccess;
}

/**
 * The settings every consumer shares: small batches for freshness, and a poison record costs only itself.
 * No batching window (Lambda's default): a shard has one batch in flight at a time, so while a load runs the
 * next batch gathers by itself and a busy stream gets full batches anyway; a window only holds back the last,
 * partial batch. With a 1 s window a confirmed order took 1.2 s (p50) to be counted locally, and a replayed
 * month's last records waited a full second after everything before them was loaded.
 */
const delivery = {
  maximumBatchingWindowSeconds: 0,
  startingPosition: 'TRIM_HORIZON',
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
  maximumRetryAttempts: 5,
  maximumRecordAgeSeconds: 86_400,
  warehouse: 'write',
} as const;

/** Consumers record when they loaded new rows, so the analytics API's cached answers know they are stale. */
const cacheVersion = { aggregates: 'write' } as const;

export const streamConsumers: StreamConsumer[] = [
  {
    id: 'loadOrdersStream',
    context: 'analytics',
    handler: 'functions/analytics/handlers/load-orders-stream.ts',
    summary: 'Orders table stream → sales_facts (sales on confirmation, refunds on a refunded cancellation)',
    source: { kind: 'table', table: 'orders' },
    batchSize: 100,
    onFailureQueueName: 'analytics-orders-stream-failures',
    tables: cacheVersion,
    ...delivery,
  },
  {
    id: 'loadInventoryStream',
    context: 'analytics',
    handler: 'functions/analytics/handlers/load-inventory-stream.ts',
    summary: 'Inventory table stream → inventory_snapshots',
    source: { kind: 'table', table: 'inventory' },
    batchSize: 100,
    onFailureQueueName: 'analytics-inventory-stream-failures',
    tables: cacheVersion,
    ...delivery,
  },
  {
    id: 'loadProductsStream',
    context: 'analytics',
    handler: 'functions/analytics/handlers/load-products-stream.ts',
    summary: 'Products table stream → dim_products (names, categories and prices for reports)',
    source: { kind: 'table', table: 'products' },
    batchSize: 100,
    onFailureQueueName: 'analytics-products-stream-failures',
    tables: cacheVersion,
    ...delivery,
  },
  {
    id: 'loadClickstream',
    context: 'analytics',
    handler: 'functions/analytics/handlers/load-clickstream.ts',
    summary: 'Kinesis clickstream → user_behavior',
    source: { kind: 'stream', stream: 'clickstream' },
    // Click events are small (about 0.5 KB: 1,000 are 0.5 MB of Lambda's 6 MB) and come in bursts; fewer,
    // larger loads are what a warehouse takes best (on Redshift 1,000 rows are 10 statements, one transaction).
    // Locally a replayed month costs about 20 % less CPU than with batches of 500 (analytics bench).
    batchSize: 1000,
    onFailureQueueName: 'analytics-clickstream-failures',
    tables: cacheVersion,
    ...delivery,
  },
];

/**
 * A consumer's deployed names in a stage whose physical names start with `prefix-` (none locally): the CDK
 * names the function and its on-failure queue so, and the redrive CLI finds them so.
 */
export function consumerPhysicalNames(consumer: StreamConsumer, prefix?: string): { functionName: string; queueName: string } {
  const named = (name: string) => (prefix ? `${prefix}-${name}` : name);
  return { functionName: named(consumer.id), queueName: named(consumer.onFailureQueueName) };
}
