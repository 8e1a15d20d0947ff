import { createHash } from 'node:crypto';
import type { Caller } from '../../shared/auth';
import { conflict, invalid, notFound } from '../../shared/errors';
import { MAX_ORDER_LINES } from '../../shared/limits';
import { mergeLines } from '../../inventory/domain/reservations';
import type { OrdersDeps, PricedOrder } from '../ports';
import type { ListOrdersQuery, Order, OrderAccepted, PlaceOrder } from '../schemas';

export const cartOwnerOfUser = (userId: string) => `user#${userId}`;

/**
 * An order's id is its shopper's and Idempotency-Key's: a retry after any crash — even once the request's
 * idempotency record has expired — finds the order the first attempt wrote, and the saga named after it.
 */
export const orderIdFor = (userId: string, idempotencyKey: string) =>
  `ord_${createHash('sha256').update(`${userId}:${idempotencyKey.toLowerCase()}`).digest('hex').slice(0, 32)}`;

/** JSON with every object's keys sorted: the same request gives the same digest whatever order its keys came in. */
const canonicalJson = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonicalJson).join(',')}]`
    : value && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value);

/**
 * What a request asked for (its whole body, the payment token included), as the digest its order keeps: the same
 * Idempotency-Key sent again with another body is refused instead of answered with the first order.
 */
export const requestDigest = (input: PlaceOrder) =>
  createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 32);

/** The order a key placed before, if the request is the same one; a 409 if the key came with another body. */
function sameRequest(placed: { order: Order; request?: string }, request: string): Order {
  // Orders placed before requests were digested carry none: their idempotency record vouched for them then.
  if (placed.request !== undefined && placed.request !== request)
    throw conflict('This Idempotency-Key was used with a different request');
  return placed.order;
}

const accepted = (order: Order): OrderAccepted => ({
  orderId: order.orderId,
  status: order.status,
  total: order.total,
  currency: order.currency,
});

/**
 * Prices the order from the catalog, records it PENDING (with the shopper's redemption of its promotion and the
 * request's digest) and starts the saga. The saga, not this request, decides whether stock and payment allow it:
 * the answer is 202 and a PENDING order. Every step may be repeated: an order that exists is answered as it
 * stands, and its saga started if it never was — unless the key came with another body (409). The order's id
 * derives from the key and its write is conditional, so this is the request's idempotency: no record beside it.
 */
export async function placeOrder(
  caller: Caller,
  input: PlaceOrder,
  idempotencyKey: string,
  deps: OrdersDeps,
  options: { testData?: boolean; onPlaced?: () => void } = {},
): Promise<OrderAccepted> {
  const orderId = orderIdFor(caller.userId, idempotencyKey);
  const request = requestDigest(input);
  const cartOwnerId = cartOwnerOfUser(caller.userId);
  const cart = input.items ? undefined : await deps.carts.contents(cartOwnerId);
  let priced: PricedOrder;
  try {
    priced = await priceOrder(input, cart, deps);
  } catch (e) {
    // A retry of an order placed before (its cart since emptied, a product since withdrawn): that order stands.
    const existing = await deps.orders.placed(orderId);
    if (existing) return resume(sameRequest(existing, request), input, deps);
    throw e;
  }
  const now = deps.clock.now().toISOString();
  const order: Order = {
    orderId,
    userId: caller.userId,
    status: 'PENDING',
    ...priced,
    shippingAddress: input.shippingAddress,
    payment: { status: 'NONE' },
    history: [{ status: 'PENDING', at: now }],
    createdAt: now,
    updatedAt: now,
  };
  const outcome = await deps.orders.create(order, { testData: options.testData, request });
  if (outcome === 'promotion-used') {
    await deps.carts.removePromo(cartOwnerId, priced.promoCode!);
    throw conflict(
      `Promotion ${priced.promoCode} was already used on an earlier order; it has been taken off your cart, so ordering again goes ahead without it`,
    );
  }
  if (outcome === 'exists') return resume(sameRequest((await deps.orders.placed(orderId))!, request), input, deps);
  options.onPlaced?.();
  return resume(order, input, deps);
}

/** Prices what is ordered: `items`, or what the cart shows (lines it marks unavailable stay behind in it). */
async function priceOrder(
  input: PlaceOrder,
  cart: Awaited<ReturnType<OrdersDeps['carts']['contents']>>,
  deps: OrdersDeps,
): Promise<PricedOrder> {
  const lines = input.items ?? cart?.lines ?? [];
  // A cart saved before the cap existed may hold more lines than one order's transactions can carry.
  if (lines.length > MAX_ORDER_LINES)
    throw conflict(`An order holds at most ${MAX_ORDER_LINES} different products; remove some from your cart`);
  const priced = await deps.pricer.price(lines, {
    destinationCountry: input.shippingAddress.country,
    promoCode: cart?.promoCode,
    skipUnavailable: !input.items,
  });
  if (priced.items.length === 0)
    throw invalid('The order has no lines: send `items` or add them to your cart first', [
      { path: 'items', message: 'No lines to order' },
    ]);
  return priced;
}

/** Starts the order's saga unless it has ended (a repeat is harmless: the execution is named by the order). */
async function resume(order: Order, input: PlaceOrder, deps: OrdersDeps): Promise<OrderAccepted> {
  if (order.status === 'PENDING')
    await deps.saga.start(order.orderId, {
      orderId: order.orderId,
      paymentToken: input.paymentToken,
      // Claims the steps check against the stored order as they write (./saga-schemas.ts); the same on every retry.
      lines: mergeLines(order.items).map(({ productId, quantity }) => ({ productId, quantity })),
      total: order.total,
      currency: order.currency,
      userId: order.userId,
      createdAt: order.createdAt,
    });
  // The promotion leaves the cart with the order that used it.
  if (order.promoCode) await deps.carts.removePromo(cartOwnerOfUser(order.userId), order.promoCode);
  return accepted(order);
}

/** Someone else's order is answered as missing, not forbidden: its existence is not theirs to learn. */
export async function getOrder(caller: Caller, orderId: string, deps: Pick<OrdersDeps, 'orders'>): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order || order.userId !== caller.userId) throw notFound('Order');
  return order;
}

export const listOrders = (caller: Caller, query: ListOrdersQuery, deps: Pick<OrdersDeps, 'orders'>) =>
  deps.orders.listByUser(caller.userId, query);
