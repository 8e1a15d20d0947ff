/**
 * The analytics context's stream consumers, as data — like the route table and the saga: the CDK app builds
 * a function, an event source mapping, an on-failure queue and alarms per entry (lib/contexts/analytics.ts),
 * and the local substrate runs the same handler modules behind pollers with the same settings
 * (lib/local/event-source-mappings/).
 */
import type { WarehouseAccess } from './function-spec';
import { STREAM_DELIVERY, type StreamConsumer } from './stream-consumer-spec';

/** An analytics loader: a stream consumer that loads the warehouse. */
export interface AnalyticsConsumer extends StreamConsumer {
  warehouse: WarehouseAccess;
}

const delivery = { ...STREAM_DELIVERY, warehouse: 'write' } as const;

/** Consumers record when they loaded new rows, so the analytics API's cached answers know they are stale. */
const cacheVersion = { aggregates: 'write' } as const;

export const analyticsConsumers: AnalyticsConsumer[] = [
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

// The names lib/contexts/analytics*.ts and test/bench import (they build and drive the analytics consumers only).
export { consumerPhysicalNames, type ConsumerSource } from './stream-consumer-spec';
export { analyticsConsumers as streamConsumers, type AnalyticsConsumer as StreamConsumer };
