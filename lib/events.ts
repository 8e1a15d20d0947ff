/**
 * The domain events context, as data: the bus every context publishes to, the archive kept of it, the rules that
 * consume it (each running one function), and the four
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
import type { BoundedContext } from '../functions/api/contract';
import { EVENT_SOURCES } from '../functions/events/schemas';
import { PURCHASE_EVENT_TYPES } from '../functions/recommendations/domain/purchases';
import type { FunctionSpec } from './function-spec';
import { STREAM_DELIVERY, type StreamConsumer } from './stream-consumer-spec';
import type { TableKey } from './tables';

export const EVENTS_ENV = { bus: 'EVENT_BUS_NAME', stockLowThreshold: 'STOCK_LOW_THRESHOLD' } as const;

/** The bus's name (physical `${prefix}-events` in AWS stages) and the archive's retention. */
export const EVENT_BUS_NAME = 'ecicomm-events';
export const EVENT_ARCHIVE = { name: 'ecicomm-events-archive', retentionDays: 30 } as const;
/**
 * `npm run events:replay -- --pattern` replays through temporary rules of this prefix (lib/ops/events-replay): each
 * rule's target lets them invoke it and reach its dead-letter queue, as it lets its own rule.
 */
export const EVENT_REPLAY_RULE_PREFIX = 'events-replay-';

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

/**
 * What EventBridge does with an event a rule's target could not take: retry it up to `maximumRetryAttempts` times
 * (with backoff) while it is younger than `maximumEventAgeSeconds`, then put it on the dead-letter queue. A Lambda
 * target is invoked asynchronously, so in AWS the function's own asynchronous-invocation settings carry the same
 * policy (Lambda retries a failing function at most twice) and send to the same queue.
 */
export interface EventRetryPolicy {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

/** A rule's target: a function of the platform, what EventBridge retries, and where the events it gave up on go. */
export interface EventRuleTarget extends FunctionSpec {
  retry: EventRetryPolicy;
  /** The SQS queue (logical name; physical `${prefix}-${name}`) of the events the target never took. */
  deadLetterQueueName: string;
  /** Sends e-mail through SES (the stage's sender identity and configuration set: lib/contexts/notifications.ts). */
  sendsEmail?: boolean;
  /** Folders (from the project root) the function reads at run time, copied beside its bundle. */
  files?: readonly string[];
}

/**
 * A consumer of the domain events: a rule on the bus, its event pattern (as EventBridge reads it: docs/EVENTS.md
 * names the sources and detail types), and the one function it runs.
 */
export interface EventRule {
  /** The rule's name (physical `${prefix}-${id}`). */
  id: string;
  context: BoundedContext;
  description: string;
  eventPattern: Record<string, unknown>;
  target: EventRuleTarget;
}

/** The rules on the domain events bus: the CDK builds them (lib/contexts/event-rules.ts), `npm start` puts them. */
export const eventRules: EventRule[] = [
  {
    id: 'recordPurchases',
    context: 'recommendations',
    description: "Orders placed, confirmed and cancelled → the recommendations context's purchase history",
    eventPattern: {
      source: [EVENT_SOURCES.orders],
      'detail-type': [...PURCHASE_EVENT_TYPES],
      detail: { schemaVersion: [1] },
    },
    target: {
      id: 'recordPurchase',
      context: 'recommendations',
      handler: 'functions/recommendations/handlers/record-purchase.ts',
      summary: 'OrderPlaced, OrderConfirmed, OrderCancelled → the purchase-history table (upserts in any order)',
      tables: { purchaseHistory: 'write' },
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
      deadLetterQueueName: 'recommendations-purchase-dead-letters',
    },
  },
  {
    id: 'notifyShopperOfOrders',
    context: 'notifications',
    description: 'Confirmed and cancelled orders → the e-mail the shopper expects',
    eventPattern: {
      source: [EVENT_SOURCES.orders],
      'detail-type': ['OrderConfirmed', 'OrderCancelled'],
      detail: { schemaVersion: [1] },
    },
    target: {
      id: 'notifyShopper',
      context: 'notifications',
      handler: 'functions/notifications/handlers/notify-shopper.ts',
      summary: 'E-mails the shopper their order confirmation or cancellation (SES), once per order and event type',
      // The profile's address and e-mail preference; Powertools' idempotency records.
      tables: { users: 'read', idempotency: 'readwrite' },
      // An SES throttle or outage passes within the hour; Lambda retries a failing function at most twice.
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
      deadLetterQueueName: 'notifications-dead-letters',
      sendsEmail: true,
      // Its e-mail templates (functions/notifications/template-files.ts reads them beside its bundle).
      files: ['functions/notifications/templates'],
    },
  },
];

/** A rule's deployed names in a stage whose physical names start with `prefix-` (none locally). */
export function rulePhysicalNames(
  rule: Pick<EventRule, 'id' | 'target'>,
  prefix?: string,
): { ruleName: string; functionName: string; queueName: string } {
  const named = (name: string) => (prefix ? `${prefix}-${name}` : name);
  return {
    ruleName: named(rule.id),
    functionName: named(rule.target.id),
    queueName: named(rule.target.deadLetterQueueName),
  };
}
