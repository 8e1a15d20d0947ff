/** The stored order a saga fixture runs against: built as the orders context stores one, and checked with its schema. */
import { Order } from '../../../functions/orders/schemas';
import { TEST_DATA_ATTRIBUTE } from '../../../functions/shared/test-data';

export type PricedLine = Order['items'][number];

/** The fixture shopper of events/apigw (its `sub`). */
export const FIXTURE_SHOPPER_ID = '00000000-0000-4000-8000-00000000b001';

/** A PENDING order item as the orders table holds it (with the `pending` index key), marked as test data when asked. */
export function pendingOrderItem(
  orderId: string,
  lines: PricedLine[],
  at: string,
  testData: boolean,
): Record<string, unknown> {
  const subtotal = lines.reduce((sum, l) => sum + l.lineTotal, 0);
  const order = Order.parse({
    orderId,
    userId: FIXTURE_SHOPPER_ID,
    status: 'PENDING',
    items: lines,
    subtotal,
    discount: 0,
    tax: 0,
    shipping: 0,
    total: subtotal,
    currency: 'GBP',
    shippingAddress: {
      name: 'Sam Shopper',
      line1: '1 High Street',
      city: 'London',
      postalCode: 'EC1A 1BB',
      country: 'GB',
    },
    payment: { status: 'NONE' },
    history: [{ status: 'PENDING', at }],
    createdAt: at,
    updatedAt: at,
  });
  return { ...order, pending: 'PENDING', ...(testData && { [TEST_DATA_ATTRIBUTE]: true }) };
}
