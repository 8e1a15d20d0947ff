/**
 * What each e-mail says, from the event alone: the subject and the view its templates fill. Money arrives in minor
 * units (pence) and is written as the shopper reads it (£12.34); a cancellation says why in plain words and what
 * happened to the money.
 */
import type { TemplateName } from '../ports';
import type { OrderCancelledDetail, OrderConfirmedDetail } from '../schemas';

export interface Message {
  template: TemplateName;
  subject: string;
  view: object;
}

/** Minor units in the order's currency, e.g. 123456 GBP → "£1,234.56". */
export function formatMoney(minorUnits: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minorUnits / 100);
}

/** The short form of an order id a shopper can quote: the first eight characters after `ord_`, upper-case. */
export const orderReference = (orderId: string) => orderId.replace(/^ord_/, '').slice(0, 8).toUpperCase();

const REASONS: Record<OrderCancelledDetail['failureReason'], string> = {
  PAYMENT_DECLINED: 'your card issuer declined the payment',
  PAYMENT_ERROR: 'we could not reach the payment provider to take the payment',
  OUT_OF_STOCK: 'one or more items in it are out of stock',
  RESERVATION_EXPIRED: 'the items were held for you for too long without the payment completing',
  INTERNAL: 'something went wrong on our side while we processed it',
};

const MONEY: Record<OrderCancelledDetail['paymentStatus'], string> = {
  NONE: 'Nothing was charged.',
  DECLINED: 'Nothing was charged.',
  REFUNDED: 'The charge was refunded; it can take a few working days to reach your account.',
  CHARGED: 'You were charged; the charge is being refunded and can take a few working days to reach your account.',
};

const greeting = (firstName?: string) => (firstName ? `Hello ${firstName},` : 'Hello,');

export function orderConfirmedMessage(order: OrderConfirmedDetail, firstName?: string): Message {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const { shippingAddress: address } = order;
  return {
    template: 'order-confirmed',
    subject: `Your order ${orderReference(order.orderId)} is confirmed`,
    view: {
      greeting: greeting(firstName),
      orderId: order.orderId,
      reference: orderReference(order.orderId),
      lines: order.items.map((item) => ({
        name: item.name,
        quantity: item.quantity,
        unitPrice: money(item.unitPrice),
        lineTotal: money(item.lineTotal),
      })),
      subtotal: money(order.subtotal),
      discount: order.discount > 0 ? money(order.discount) : '',
      tax: money(order.tax),
      shipping: order.shipping > 0 ? money(order.shipping) : 'Free',
      total: money(order.total),
      address: [
        address.name,
        address.line1,
        address.line2,
        address.city,
        address.state,
        address.postalCode,
        address.country,
      ]
        .filter((part): part is string => Boolean(part))
        .map((line) => ({ line })),
    },
  };
}

export function orderCancelledMessage(order: OrderCancelledDetail, firstName?: string): Message {
  return {
    template: 'order-cancelled',
    subject: `Your order ${orderReference(order.orderId)} was cancelled`,
    view: {
      greeting: greeting(firstName),
      orderId: order.orderId,
      reference: orderReference(order.orderId),
      reason: REASONS[order.failureReason],
      money: MONEY[order.paymentStatus],
      total: formatMoney(order.total, order.currency),
    },
  };
}

/** `preferences.notifications.email`: on unless the shopper turned it off. */
export function wantsEmail(preferences: Record<string, unknown> | undefined): boolean {
  const notifications = preferences?.notifications;
  if (!notifications || typeof notifications !== 'object') return true;
  return (notifications as { email?: unknown }).email !== false;
}
