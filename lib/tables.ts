/**
 * The DynamoDB tables of every bounded context, as data: CDK builds them (lib/contexts) and the local
 * substrate creates them in DynamoDB Local (lib/local) from this one description.
 */
/** What a function may do with a table it names: read it, write it, or both. */
export type TableAccess = 'read' | 'write' | 'readwrite';

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

export interface TableSpec {
  /** Logical name; the physical name is `${prefix}-${name}`. */
  name: string;
  /** Environment variable through which functions receive the physical name. */
  envVar: string;
  partitionKey: string;
  sortKey?: string;
  indexes?: IndexSpec[];
  ttlAttribute?: string;
}

export const tables = {
  products: {
    name: 'products',
    envVar: 'PRODUCTS_TABLE',
    partitionKey: 'id',
    // Sparse indexes: only ACTIVE products carry the keys, so listing never filters out whole pages.
    indexes: [
      { name: 'activeById', partitionKey: 'listed', sortKey: 'id' },
      { name: 'activeByCategory', partitionKey: 'listedCategory', sortKey: 'id' },
    ],
  },
  /** One item per SKU in use: the transaction that creates a product claims its SKU here. */
  productSkus: { name: 'product-skus', envVar: 'PRODUCT_SKUS_TABLE', partitionKey: 'sku' },
  inventory: { name: 'inventory', envVar: 'INVENTORY_TABLE', partitionKey: 'productId' },
  users: { name: 'users', envVar: 'USERS_TABLE', partitionKey: 'userId' },
  /** A cart per owner (`user#<sub>` or `session#<uuid>`); DynamoDB TTL deletes it 24 h after its last change. */
  carts: { name: 'carts', envVar: 'CARTS_TABLE', partitionKey: 'ownerId', ttlAttribute: 'ttl' },
  promotions: { name: 'promotions', envVar: 'PROMOTIONS_TABLE', partitionKey: 'code' },
  orders: {
    name: 'orders',
    envVar: 'ORDERS_TABLE',
    partitionKey: 'orderId',
    indexes: [
      { name: 'byUser', partitionKey: 'userId', sortKey: 'createdAt' },
      // Sparse: only PENDING orders carry `pending`, so settlement reads just those, oldest first.
      { name: 'pendingByAge', partitionKey: 'pending', sortKey: 'createdAt' },
    ],
  },
  /**
   * The archive of old orders' index (functions/orders/archive): one item per order moved out of `orders` into an
   * archive object — what lists it (owner, createdAt), what reconciliation reads (status, total, currency,
   * payment) and where it is (`archiveKey`); the whole order is in the archive bucket. Also the lease between
   * archive runs (`lease#…`: no userId, so never in byUser).
   */
  orderArchiveIndex: {
    name: 'order-archive-index',
    envVar: 'ORDER_ARCHIVE_INDEX_TABLE',
    partitionKey: 'orderId',
    indexes: [{ name: 'byUser', partitionKey: 'userId', sortKey: 'createdAt' }],
  },
  /** One reservation per order; only HELD ones carry `held`, so the sweeper reads just those, oldest first. */
  reservations: {
    name: 'reservations',
    envVar: 'RESERVATIONS_TABLE',
    partitionKey: 'orderId',
    indexes: [{ name: 'heldByExpiry', partitionKey: 'held', sortKey: 'expiresAt' }],
  },
  /**
   * The payments ledger: per order its charge intent (written before the gateway is called), refund claim,
   * and the charge and refund the gateway confirmed; and the test gateway's own records (GATEWAY# keys).
   */
  payments: {
    name: 'payments',
    envVar: 'PAYMENTS_TABLE',
    partitionKey: 'orderId',
    sortKey: 'entry',
    // Sparse: only open charge intents carry `open`, so settlement reads just those, oldest attempt first.
    indexes: [{ name: 'openIntents', partitionKey: 'open', sortKey: 'attemptAt' }],
  },
  /**
   * The recommendations context's own copy of what each shopper bought: one item per order, kept from the orders
   * events (OrderPlaced, OrderConfirmed, OrderCancelled) rather than read from the orders table, newest first by
   * `byUser`; DynamoDB's TTL drops an order a year after it was placed, as the archive takes it from the orders table.
   */
  purchaseHistory: {
    name: 'purchase-history',
    envVar: 'PURCHASE_HISTORY_TABLE',
    partitionKey: 'orderId',
    indexes: [{ name: 'byUser', partitionKey: 'userId', sortKey: 'placedAt' }],
    ttlAttribute: 'ttl',
  },
  /** Powertools idempotency records (POST /v1/orders). */
  idempotency: { name: 'idempotency', envVar: 'IDEMPOTENCY_TABLE', partitionKey: 'id', ttlAttribute: 'expiration' },
  /**
   * Small precomputed read models, one item per aggregate (`id`), e.g. `recommendations#popular`: the
   * top products by popularity that recommendations fall back on when the model endpoint cannot answer.
   * Written by whoever computes them (model training, the local substrate), read with one GetItem.
   * Also the analytics API's result cache (`analytics-cache#<sha256>`): those items carry `ttl`, so DynamoDB
   * sweeps them up once expired; the other aggregates have none and stay.
   */
  aggregates: { name: 'aggregates', envVar: 'AGGREGATES_TABLE', partitionKey: 'id', ttlAttribute: 'ttl' },
  /** One item per product image (productId, imageId): PROCESSING, then READY with its variants' URLs or REJECTED with why. */
  productImages: {
    name: 'product-images',
    envVar: 'PRODUCT_IMAGES_TABLE',
    partitionKey: 'productId',
    sortKey: 'imageId',
  },
  /**
   * The recent audit trail (GET /v1/audit), one item per audit event keyed by its id (a redelivered record
   * overwrites itself). Every index sorts by `atId` (`<ISO time>#<event id>`): by resource, by user, and by UTC
   * day for the unfiltered trail. DynamoDB TTL drops an event after AUDIT_RETENTION_DAYS (lib/audit.ts); the S3
   * archive keeps them all.
   */
  audit: {
    name: 'audit',
    envVar: 'AUDIT_TABLE',
    partitionKey: 'eventId',
    ttlAttribute: 'expiresAt',
    indexes: [
      { name: 'byResource', partitionKey: 'resourceId', sortKey: 'atId' },
      { name: 'byUser', partitionKey: 'userId', sortKey: 'atId' },
      { name: 'byDay', partitionKey: 'day', sortKey: 'atId' },
    ],
  },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof tables;
export const tableList: TableSpec[] = Object.values(tables);
