import type { OrderRepository } from '../../orders/ports';
import type { PurchaseHistory, PurchaseLine } from '../ports';

/** Orders read for a personal answer: one query page, newest first — the recent past is what predicts. */
export const HISTORY_ORDERS = 50;

/**
 * The shopper's purchases from the orders context's repository (read-only): the lines of their recent
 * orders, dated by when each was placed. Cancelled orders are left out — payment declined or stock ran
 * out, nothing was bought — while pending ones count: the shopper chose those products just now. Archived
 * orders (a year old or more, their lines in the archive bucket) are left out too: the recent past predicts.
 */
export class OrderPurchaseHistory implements PurchaseHistory {
  constructor(private readonly orders: Pick<OrderRepository, 'listByUser'>) {}

  async recentLines(userId: string): Promise<PurchaseLine[]> {
    const page = await this.orders.listByUser(userId, { limit: HISTORY_ORDERS });
    return page.items
      .filter((order) => order.status !== 'CANCELLED' && !order.archived)
      .flatMap((order) =>
        order.items.map((line) => ({ productId: line.productId, quantity: line.quantity, at: order.createdAt })),
      );
  }
}
