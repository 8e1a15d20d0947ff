/**
 * The domain events context, as data: the bus every context publishes to, the archive kept of it, and the four
 * publishers — stream consumers of the products, orders, inventory and users tables that turn each committed change
 * into its domain events (functions/events). The CDK builds the bus, the archive, the publishers with their
 * mappings and queues (lib/contexts/events.ts); locally `npm start` runs the local EventBridge (lib/local/eventbridge)
 * and the same publishers behind local event source mappings.
 *
 * Why consumers and not EventBridge Pipes: a pipe's input template copies values out of DynamoDB's typed JSON but
 * cannot turn it into plain JSON (numbers stay strings, lists of maps stay typed), so the details would not be the
 * versioned schemas consumers rely on; and every pipe would be one more reader of a stream that already has two.
 * One consumer per table runs the same mapping in both substrates, with the event source mappings' retries,
 * bisecting and on-failure queue every other consumer has.
 */
import { STREAM_DELIVERY, type StreamConsumer } from './stream-consumer-spec';
import type { TableKey } from './tables';

export const EVENTS_ENV = { bus: 'EVENT_BUS_NAME', stockLowThreshold: 'STOCK_LOW_THRESHOLD' } as const;

/** The bus's name (physical `${prefix}-events` in AWS stages) and the archive's retention. */
export const EVENT_BUS_NAME = 'ecicomm-events';
export const EVENT_ARCHIVE = { name: 'ecicomm-events-archive', retentionDays: 30 } as const;

/** The bus and archive of a deployed stage (`<prefix>-events`, `<prefix>-events-archive`), as the CDK names them. */
export const stageEventNames = (prefix: string) => ({
  bus: `${prefix}-events`,
  archive: `${prefix}-${EVENT_ARCHIVE.name.replace(/^ecicomm-/, '')}`,
});

const publisher = (table: TableKey, file: string, summary: string): StreamConsumer => ({
  id: `publish${file.charAt(0).toUpperCase()}${file.slice(1)}Events`,
  context: 'events',
  handler: `functions/events/handlers/publish-${file}-events.ts`,
  summary,
  source: { kind: 'table', table },
  batchSize: 100,
  onFailureQueueName: `events-${file}-stream-failures`,
  // They read nothing but their stream: the events are the stream's images.
  tables: {},
  ...STREAM_DELIVERY,
  domainEvents: 'publish',
});

export const eventPublishers: StreamConsumer[] = [
  publisher('products', 'product', 'Products table stream → ProductCreated, ProductChanged, ProductDeactivated'),
  publisher('orders', 'order', 'Orders table stream → OrderPlaced, OrderConfirmed, OrderCancelled'),
  publisher('inventory', 'inventory', 'Inventory table stream → StockLow'),
  publisher('users', 'user', 'Users table stream → UserRegistered'),
];
