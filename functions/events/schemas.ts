/**
 * The domain events every context publishes to the `ecicomm-events` bus, as zod schemas of their `detail`: the
 * single source of their shape, of the event catalog (catalog.ts, docs/EVENTS.md) and of the check every published
 * event passes. Each detail carries `schemaVersion`; a change that is not backward compatible is a new version (a
 * consumer matches on it in its rule), never an edit of this one.
 */
import * as z from 'zod/mini';
import { OrderShippingAddress } from '../orders/schemas';

export const EVENT_BUS = 'ecicomm-events';

export const EVENT_SOURCES = {
  catalog: 'ecicomm.catalog',
  orders: 'ecicomm.orders',
  inventory: 'ecicomm.inventory',
  users: 'ecicomm.users',
} as const;

const version1 = { schemaVersion: z.literal(1) };
const money = z.int();
const at = z.iso.datetime();

export const ProductCreated = z.object({
  ...version1,
  productId: z.string(),
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  price: money,
  currency: z.string(),
  status: z.enum(['ACTIVE', 'INACTIVE']),
  version: z.int(),
  at,
});

export const ProductChanged = z.object({
  ...version1,
  productId: z.string(),
  version: z.int(),
  /** The product's fields that differ from the version before, by name. */
  changedFields: z.array(z.string()),
  price: money,
  currency: z.string(),
  status: z.enum(['ACTIVE', 'INACTIVE']),
  at,
});

export const ProductDeactivated = z.object({ ...version1, productId: z.string(), version: z.int(), at });

const OrderLine = z.object({
  productId: z.string(),
  name: z.string(),
  quantity: z.int(),
  unitPrice: money,
  lineTotal: money,
});
const OrderTotals = {
  subtotal: money,
  discount: money,
  tax: money,
  shipping: money,
  total: money,
  currency: z.string(),
};

export const OrderPlaced = z.object({
  ...version1,
  orderId: z.string(),
  userId: z.string(),
  items: z.array(OrderLine),
  ...OrderTotals,
  at,
});

export const OrderConfirmed = z.object({
  ...version1,
  orderId: z.string(),
  userId: z.string(),
  items: z.array(OrderLine),
  ...OrderTotals,
  shippingAddress: OrderShippingAddress,
  chargeId: z.optional(z.string()),
  at,
});

export const OrderCancelled = z.object({
  ...version1,
  orderId: z.string(),
  userId: z.string(),
  failureReason: z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_ERROR', 'RESERVATION_EXPIRED', 'INTERNAL']),
  /** What happened to the money: never taken (NONE, DECLINED), or taken and given back (REFUNDED). */
  paymentStatus: z.enum(['NONE', 'DECLINED', 'REFUNDED', 'CHARGED']),
  total: money,
  currency: z.string(),
  at,
});

export const StockLow = z.object({
  ...version1,
  productId: z.string(),
  available: z.int(),
  threshold: z.int(),
  at,
});

export const UserRegistered = z.object({ ...version1, userId: z.string(), at });

export const DETAIL_SCHEMAS = {
  ProductCreated,
  ProductChanged,
  ProductDeactivated,
  OrderPlaced,
  OrderConfirmed,
  OrderCancelled,
  StockLow,
  UserRegistered,
} as const;

export type DetailType = keyof typeof DETAIL_SCHEMAS;
export type DetailOf<T extends DetailType> = z.infer<(typeof DETAIL_SCHEMAS)[T]>;

/** A domain event as a publisher hands it to PutEvents. */
export type DomainEvent = {
  [T in DetailType]: { source: (typeof EVENT_SOURCES)[keyof typeof EVENT_SOURCES]; detailType: T; detail: DetailOf<T> };
}[DetailType];
