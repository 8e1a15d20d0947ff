import * as z from 'zod/mini';
import { Cursor, Id, Limit, text } from '../shared/schemas';
import { PriceFigures } from '../cart/schemas';
import { MAX_ORDER_LINES } from '../shared/limits';

export const OrderStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);
export const FailureReason = z.enum([
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'PAYMENT_ERROR',
  'RESERVATION_EXPIRED',
  'INTERNAL',
]);
export const PaymentStatus = z.enum(['NONE', 'CHARGED', 'REFUNDED', 'DECLINED']);

export const ShippingAddress = z.strictObject({
  name: text(100),
  line1: text(200),
  line2: z.optional(text(200)),
  city: text(100),
  state: z.optional(text(100)),
  postalCode: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, 'Must be a postal code: letters, digits, spaces or dashes')),
  country: z.string().check(z.regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 country code, e.g. GB')),
});
export type ShippingAddress = z.infer<typeof ShippingAddress>;

export const OrderLineRequest = z.strictObject({
  productId: Id,
  quantity: z.int().check(z.minimum(1), z.maximum(999)),
});

export const PlaceOrder = z.strictObject({
  shippingAddress: ShippingAddress,
  paymentToken: z
    .string()
    .check(z.regex(/^tok_[A-Za-z0-9_]{1,60}$/, 'Must be a payment token from the gateway, e.g. tok_visa')),
  items: z.optional(
    z.array(OrderLineRequest).check(z.minLength(1, 'An order needs at least one line'), z.maxLength(MAX_ORDER_LINES)),
  ),
});
export type PlaceOrder = z.infer<typeof PlaceOrder>;

export const IdempotencyKeyHeader = z
  .string()
  .check(
    z.regex(
      /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      'Idempotency-Key must be a UUID',
    ),
  );

export const OrderIdParams = z.strictObject({ orderId: Id });

const IsoDate = z.string().check(
  z.regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/,
    'Must be an ISO 8601 date or date-time',
  ),
  z.refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a real date'),
);
export const ListOrdersQuery = z
  .strictObject({ from: z.optional(IsoDate), to: z.optional(IsoDate), limit: Limit, cursor: Cursor })
  .check(
    z.refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
      message: '`to` must not be before `from`',
      path: ['to'],
    }),
  );
export type ListOrdersQuery = z.infer<typeof ListOrdersQuery>;

/** The address as an order keeps it (checked once, as ShippingAddress, when the order was placed): the answers' and the domain events' shape. */
export const OrderShippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.optional(z.string()),
  city: z.string(),
  state: z.optional(z.string()),
  postalCode: z.string(),
  country: z.string(),
});

export const Order = z.object({
  orderId: z.string(),
  userId: z.string(),
  status: OrderStatus,
  ...PriceFigures,
  shippingAddress: OrderShippingAddress,
  payment: z.object({ status: PaymentStatus, chargeId: z.optional(z.string()) }),
  failureReason: z.optional(FailureReason),
  history: z.array(z.object({ status: OrderStatus, at: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Present (true) on an order moved to the archive of old orders: read from there, as it was when archived. */
  archived: z.optional(z.boolean()),
});
export type Order = z.infer<typeof Order>;
export type FailureReason = z.infer<typeof FailureReason>;
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const OrderAccepted = z.object({
  orderId: z.string(),
  status: OrderStatus,
  total: z.int(),
  currency: z.string(),
});
export type OrderAccepted = z.infer<typeof OrderAccepted>;
export const OrderPage = z.object({ items: z.array(Order), nextCursor: z.optional(z.string()) });
