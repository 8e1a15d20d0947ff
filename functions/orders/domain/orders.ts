import type { Caller } from '../../shared/auth';
import { invalid, notFound } from '../../shared/errors';
import type { OrdersDeps } from '../ports';
import type { ListOrdersQuery, Order, OrderAccepted, PlaceOrder } from '../schemas';

export const cartOwnerOfUser = (userId: string) => `user#${userId}`;

/**
 * Prices the order from the catalog, records it PENDING and starts the saga. The saga, not this
 * request, decides whether stock and payment allow it: the answer is 202 and a PENDING order.
 */
export async function placeOrder(caller: Caller, input: PlaceOrder, deps: Pick<OrdersDeps, 'orders' | 'saga' | 'carts' | 'pricer' | 'clock' | 'newId'>): Promise<OrderAccepted> {
  const cartOwnerId = cartOwnerOfUser(caller.userId);
  const cart = input.items ? undefined : await deps.carts.contents(cartOwnerId);
  const lines = input.items ?? cart?.lines ?? [];
  if (lines.length === 0) throw invalid('The order has no lines: send `items` or add them to your cart first', [{ path: 'items', message: 'No lines to order' }]);

  const priced = await deps.pricer.price(lines, { destinationCountry: input.shippingAddress.country, promoCode: cart?.promoCode });
  const now = deps.clock.now().toISOString();
  const order: Order = {
    orderId: deps.newId(),
    userId: caller.userId,
    status: 'PENDING',
    ...priced,
    shippingAddress: input.shippingAddress,
    payment: { status: 'NONE' },
    history: [{ status: 'PENDING', at: now }],
    createdAt: now,
    updatedAt: now,
  };
  await deps.orders.create(order);
  await deps.saga.start(order.orderId, {
    orderId: order.orderId,
    userId: caller.userId,
    lines: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
    amount: order.total,
    currency: order.currency,
    paymentToken: input.paymentToken,
    cartOwnerId,
  });
  return { orderId: order.orderId, status: order.status, total: order.total, currency: order.currency };
}

/** Someone else's order is answered as missing, not forbidden: its existence is not theirs to learn. */
export async function getOrder(caller: Caller, orderId: string, deps: Pick<OrdersDeps, 'orders'>): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (!order || order.userId !== caller.userId) throw notFound('Order');
  return order;
}

export const listOrders = (caller: Caller, query: ListOrdersQuery, deps: Pick<OrdersDeps, 'orders'>) =>
  deps.orders.listByUser(caller.userId, query);
