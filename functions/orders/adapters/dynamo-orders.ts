import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import { invalid } from '../../shared/errors';
import { testDataMark } from '../../shared/test-data';
import { decodeCursor, encodeCursor, type Page } from '../../shared/pagination';
import { commitReservationItems } from '../../inventory/adapters/dynamo-reservations';
import { mergeLines } from '../../inventory/domain/reservations';
import { redeemPromotionItem, releasePromotionItem } from '../../cart/adapters/dynamo-promotions';
import { settleChargeItems } from '../../payments/adapters/dynamo-ledger';
import type {
  CancelOutcome,
  ClaimedOrder,
  ConfirmOutcome,
  CreateOutcome,
  OrderPayment,
  OrderRepository,
} from '../ports';
import type { FailureReason, Order } from '../schemas';
import { queryByUser, type ArchivedOrders, type IndexQuery } from '../archive/archived-orders';
import type { ArchiveIndexItem } from '../archive/format';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const ORDER_FIELDS = [
  'orderId',
  'userId',
  'status',
  'items',
  'subtotal',
  'discount',
  'tax',
  'shipping',
  'total',
  'currency',
  'promoCode',
  'shippingAddress',
  'payment',
  'failureReason',
  'history',
  'createdAt',
  'updatedAt',
  'archived',
] as const;

/** Only PENDING orders carry `pending`, so settlement reads just those, oldest first. */
export const PENDING_INDEX = 'pendingByAge';
const PENDING = 'PENDING';

/** Fields in the contract's order; storage-only attributes stay behind. */
const fromItem = (item: Record<string, unknown>): Order =>
  Object.fromEntries(ORDER_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as Order;

/** One order of a merged page: where it was found, its id and createdAt (the order of the page). */
interface PageEntry {
  source: 'live' | 'archive';
  orderId: string;
  userId: string;
  createdAt: string;
  item: Record<string, unknown>;
}

const entry = (source: PageEntry['source'], item: Record<string, unknown>): PageEntry => ({
  source,
  orderId: String(item.orderId),
  userId: String(item.userId),
  createdAt: String(item.createdAt),
  item,
});

/**
 * The table's and the archive index's items of one owner, newest first (createdAt, then orderId), each order
 * once: one caught between its index item and its deletion by the archive job is the table's.
 */
function mergeNewestFirst(live: Record<string, unknown>[], indexed: Record<string, unknown>[]): PageEntry[] {
  const liveIds = new Set(live.map((i) => String(i.orderId)));
  const entries = [
    ...live.map((i) => entry('live', i)),
    ...indexed.filter((i) => !liveIds.has(String(i.orderId))).map((i) => entry('archive', i)),
  ];
  const newestFirst = (a: PageEntry, b: PageEntry) =>
    a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.orderId < b.orderId ? 1 : -1;
  return entries.sort(newestFirst);
}

/** An order's lines merged by product, as stored beside the order for the saga's steps' checks. */
const claimedLines = (order: Pick<Order, 'items'>) =>
  mergeLines(order.items).map(({ productId, quantity }) => ({ productId, quantity }));

/**
 * The transaction item with which a saga step writes on the strength of what its input claims about the order:
 * the stored order must still be PENDING and have exactly those merged lines, or that total and currency. Orders
 * stored before the claims existed have no `lines`, so a check of lines fails for them (and the step reads them).
 */
export function pendingOrderCheck(
  ordersTable: string,
  orderId: string,
  claims: { lines: { productId: string; quantity: number }[] } | { total: number; currency: string },
): TransactItem {
  const byLines = 'lines' in claims;
  return {
    ConditionCheck: {
      TableName: ordersTable,
      Key: { orderId },
      ConditionExpression: byLines
        ? '#status = :pending AND #lines = :lines'
        : '#status = :pending AND #total = :total AND currency = :currency',
      ExpressionAttributeNames: byLines
        ? { '#status': 'status', '#lines': 'lines' }
        : { '#status': 'status', '#total': 'total' },
      ExpressionAttributeValues: byLines
        ? { ':pending': PENDING, ':lines': claims.lines }
        : { ':pending': PENDING, ':total': claims.total, ':currency': claims.currency },
    },
  };
}

/** The other contexts' tables an order's transactions touch: each only through that context's own item builders. */
export interface RelatedTables {
  inventory: string;
  reservations: string;
  payments: string;
  promotions: string;
}

const needs = <K extends keyof RelatedTables>(
  related: Partial<RelatedTables>,
  ...keys: K[]
): Pick<RelatedTables, K> => {
  const missing = keys.filter((k) => !related[k]);
  if (missing.length) throw new Error(`This order repository was built without the ${missing.join(', ')} table(s)`);
  return related as Pick<RelatedTables, K>;
};

export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly related: Partial<RelatedTables> = {},
    /**
     * Where archived orders are found once they have left this table (the read routes, reconciliation): without
     * it an archived order is no order — all the saga and settlement need, since they handle young orders only.
     */
    private readonly archive?: ArchivedOrders,
  ) {}

  async create(order: Order, options: { testData?: boolean; request?: string } = {}): Promise<CreateOutcome> {
    const put = {
      TableName: this.tableName,
      Item: {
        ...order,
        pending: PENDING,
        ...testDataMark(options.testData),
        ...(options.request ? { request: options.request } : {}),
        // What the saga's steps compare their input's claims with (pendingOrderCheck), merged as reserved.
        lines: claimedLines(order),
      },
      ConditionExpression: 'attribute_not_exists(orderId)',
    };
    // Without a promotion one conditional put does: a transaction would cost twice the writes.
    if (!order.promoCode) {
      try {
        await this.db.send(new PutCommand(put));
        return 'created';
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return 'exists';
        throw e;
      }
    }
    const { promotions } = needs(this.related, 'promotions');
    const redemption = redeemPromotionItem(promotions, {
      code: order.promoCode,
      userId: order.userId,
      orderId: order.orderId,
      at: order.createdAt,
    });
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, redemption] }));
      return 'created';
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const [orderReason, redemptionReason] = e.CancellationReasons ?? [];
      if (orderReason?.Code === 'ConditionalCheckFailed') return 'exists';
      if (redemptionReason?.Code === 'ConditionalCheckFailed') return 'promotion-used';
      throw e;
    }
  }

  async placed(orderId: string): Promise<{ order: Order; request?: string } | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }),
    );
    return Item && { order: fromItem(Item), ...(typeof Item.request === 'string' ? { request: Item.request } : {}) };
  }

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }),
    );
    if (Item) return fromItem(Item);
    const indexed = await this.archive?.indexed(orderId);
    if (!indexed) return undefined;
    const [archived] = await this.archive!.orders([indexed]);
    return fromItem({ ...archived, archived: true });
  }

  async listByUser(
    userId: string,
    query: { from?: string; to?: string; limit: number; cursor?: string },
  ): Promise<Page<Order>> {
    const from = query.from ? new Date(query.from).toISOString() : '0000';
    // A bare date as `to` means the whole of that day.
    const to = query.to
      ? /^\d{4}-\d{2}-\d{2}$/.test(query.to)
        ? `${query.to}T23:59:59.999Z`
        : new Date(query.to).toISOString()
      : '9999';
    const startKey = decodeCursor(query.cursor, ['orderId', 'userId', 'createdAt'], { userId });
    if (startKey && !(startKey.createdAt >= from && startKey.createdAt <= to)) {
      throw invalid('Cursor is not valid', [{ path: 'cursor', message: 'The cursor lies outside the from/to window' }]);
    }
    // One more than a page from each source, after the same cursor: their union, newest first, is the page.
    const window = { userId, from, to, limit: query.limit + 1, startKey };
    const [live, indexed] = await Promise.all([
      this.liveByUser(window),
      this.archive ? this.archive.indexedByUser(window) : Promise.resolve([]),
    ]);
    const merged = mergeNewestFirst(live, indexed);
    const page = merged.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: await this.withArchived(page),
      nextCursor:
        merged.length > query.limit && last
          ? encodeCursor({ orderId: last.orderId, userId: last.userId, createdAt: last.createdAt })
          : undefined,
    };
  }

  private async liveByUser(query: IndexQuery): Promise<Record<string, unknown>[]> {
    return queryByUser(this.db, this.tableName, query);
  }

  /** The page's orders: the table's as they are, the archive's read from their archive objects, marked `archived`. */
  private async withArchived(page: PageEntry[]): Promise<Order[]> {
    const indexed = page.flatMap((e) => (e.source === 'archive' ? [e.item as ArchiveIndexItem] : []));
    const archived = new Map(
      indexed.length && this.archive
        ? (await this.archive.orders(indexed)).map((o) => [String(o.orderId), { ...o, archived: true }])
        : [],
    );
    return page.map((e) => fromItem(e.source === 'live' ? e.item : archived.get(e.orderId)!));
  }

  /** Every order, oldest pages first as DynamoDB hands them out: for reconciliation, not for requests. */
  async *all(): AsyncIterable<Order> {
    const live = new Set<string>();
    for await (const item of scanItems(this.db, { TableName: this.tableName, ConsistentRead: true })) {
      live.add(String(item.orderId));
      yield fromItem(item);
    }
    if (!this.archive) return;
    // An archived order as its index item has it (status, total, currency, payment; no lines), once: an order
    // caught between its index item and its deletion was yielded from the table already.
    for await (const item of this.archive.allIndexed())
      if (!live.has(item.orderId)) yield fromItem({ ...item, archived: true });
  }

  async listPending(before: string, limit: number): Promise<{ orderId: string; createdAt: string }[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: PENDING_INDEX,
        KeyConditionExpression: 'pending = :pending AND createdAt < :before',
        ExpressionAttributeValues: { ':pending': PENDING, ':before': before },
        Limit: limit,
      }),
    );
    return Items.map((i) => ({ orderId: String(i.orderId), createdAt: String(i.createdAt) }));
  }

  async confirm(
    order: Order,
    confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] },
  ): Promise<ConfirmOutcome> {
    if (order.status !== 'PENDING') return order.status === 'CONFIRMED' ? 'already-confirmed' : 'not-pending';
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: this.confirmItems(order, confirmation) }));
      return 'confirmed';
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      return this.whyNotConfirmed(
        order.orderId,
        (e.CancellationReasons ?? []).map((r) => r?.Code === 'ConditionalCheckFailed'),
        e,
      );
    }
  }

  async confirmAsClaimed(
    claims: ClaimedOrder,
    confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] },
  ): Promise<boolean> {
    // The stored order must be what the claims say: PENDING, its shopper, its creation, its lines and its total.
    const orderCondition = {
      ConditionExpression:
        '#status = :pending AND userId = :userId AND createdAt = :createdAt AND #lines = :lines AND #total = :total AND currency = :currency',
      names: { '#lines': 'lines', '#total': 'total' },
      values: {
        ':userId': claims.userId,
        ':createdAt': claims.createdAt,
        ':lines': confirmation.lines,
        ':total': claims.total,
        ':currency': claims.currency,
      },
    };
    try {
      await this.db.send(
        new TransactWriteCommand({ TransactItems: this.confirmItems(claims, confirmation, orderCondition) }),
      );
      return true;
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      if ((e.CancellationReasons ?? []).some((r) => r?.Code === 'ConditionalCheckFailed')) return false;
      throw e; // A conflict with another transaction: transient, retried by the saga.
    }
  }

  /** The confirmation's transaction: [order, charge, refund claim, charge intent, reservation, stock…]. */
  private confirmItems(
    order: Pick<Order, 'orderId' | 'total' | 'currency'>,
    confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] },
    orderCondition: { ConditionExpression: string; names: Record<string, string>; values: Record<string, unknown> } = {
      ConditionExpression: '#status = :pending',
      names: {},
      values: {},
    },
  ): TransactItem[] {
    const related = needs(this.related, 'inventory', 'reservations', 'payments');
    const { orderId } = order;
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression:
            'SET #status = :confirmed, payment = :payment, updatedAt = :at, history = list_append(history, :entry) REMOVE pending',
          ConditionExpression: orderCondition.ConditionExpression,
          ExpressionAttributeNames: { '#status': 'status', ...orderCondition.names },
          ExpressionAttributeValues: {
            ':confirmed': 'CONFIRMED',
            ':pending': 'PENDING',
            ':payment': { status: 'CHARGED', chargeId: confirmation.chargeId },
            ':at': confirmation.at,
            ':entry': [{ status: 'CONFIRMED', at: confirmation.at }],
            ...orderCondition.values,
          },
        },
      },
      ...settleChargeItems(related.payments, order, confirmation.chargeId),
      ...commitReservationItems(related, { orderId, lines: confirmation.lines }, confirmation.at),
    ];
  }

  /** Reads a cancelled confirmation's reasons: [order, charge, refund claim, charge intent, reservation, stock…]. */
  private async whyNotConfirmed(orderId: string, failed: boolean[], error: Error): Promise<ConfirmOutcome> {
    const [order, charge, refundClaim, intent, reservation] = failed;
    if (order) {
      const now = await this.get(orderId);
      return !now ? 'not-found' : now.status === 'CONFIRMED' ? 'already-confirmed' : 'not-pending';
    }
    if (refundClaim) return 'refund-claimed';
    if (charge || intent) return 'payment-mismatch';
    if (reservation) return 'reservation-not-held';
    throw error;
  }

  async cancel(
    orderId: string,
    cancellation: { reason: FailureReason; payment: OrderPayment; at: string },
  ): Promise<CancelOutcome> {
    const order = await this.get(orderId);
    if (!order) return 'not-found';
    if (order.status === 'CONFIRMED') return 'not-pending';
    if (order.status === 'CANCELLED') return this.recordLaterPayment(order, cancellation);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression:
            'SET #status = :cancelled, failureReason = :reason, payment = :payment, updatedAt = :at, history = list_append(history, :entry) REMOVE pending',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'CANCELLED',
            ':pending': 'PENDING',
            ':reason': cancellation.reason,
            ':payment': cancellation.payment,
            ':at': cancellation.at,
            ':entry': [{ status: 'CANCELLED', at: cancellation.at }],
          },
        },
      },
    ];
    // A cancelled order did not use its promotion: the shopper may use it again. Without one, a plain
    // conditional update does (a transaction costs twice the writes).
    if (order.promoCode)
      items.push(
        releasePromotionItem(needs(this.related, 'promotions').promotions, {
          code: order.promoCode,
          userId: order.userId,
          orderId,
        }),
      );
    try {
      if (items.length === 1)
        await this.db.send(new UpdateCommand(items[0].Update as ConstructorParameters<typeof UpdateCommand>[0]));
      else await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'cancelled';
    } catch (e) {
      const changed =
        e instanceof ConditionalCheckFailedException ||
        (e instanceof TransactionCanceledException && e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed');
      if (!changed) throw e;
      return this.cancel(orderId, cancellation); // it changed under us: decide again from what it is now
    }
  }

  /**
   * Cancelled already (by a compensation or by settlement) but the payment has moved on since — a refund
   * that came later, a charge settlement found: the order shows it. A status never goes back to NONE.
   */
  private async recordLaterPayment(
    order: Order,
    cancellation: { payment: OrderPayment; at: string },
  ): Promise<CancelOutcome> {
    const { payment } = cancellation;
    const unchanged = payment.status === order.payment.status && payment.chargeId === order.payment.chargeId;
    if (unchanged || payment.status === 'NONE' || order.payment.status === 'REFUNDED') return 'already-cancelled';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId: order.orderId },
          UpdateExpression: 'SET payment = :payment, updatedAt = :at',
          ConditionExpression: '#status = :cancelled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':payment': payment, ':at': cancellation.at, ':cancelled': 'CANCELLED' },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
    return 'already-cancelled';
  }
}
