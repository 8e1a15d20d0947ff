import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { invalid } from '../../shared/errors';
import { decodeCursor, encodeCursor, type Page } from '../../shared/pagination';
import { commitReservationItems, type ReservationTables } from '../../inventory/adapters/dynamo-reservations';
import type { CancelOutcome, ConfirmOutcome, OrderRepository } from '../ports';
import type { FailureReason, Order, PaymentStatus } from '../schemas';

const ORDER_FIELDS = ['orderId', 'userId', 'status', 'items', 'subtotal', 'discount', 'tax', 'shipping', 'total', 'currency', 'promoCode', 'shippingAddress', 'payment', 'failureReason', 'history', 'createdAt', 'updatedAt'] as const;

/** Fields in the contract's order; storage-only attributes stay behind. */
const fromItem = (item: Record<string, unknown>): Order =>
  Object.fromEntries(ORDER_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as Order;

export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Confirmation commits the inventory reservation in the same transaction. */
    private readonly reservationTables?: ReservationTables,
  ) {}

  async create(order: Order): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: order, ConditionExpression: 'attribute_not_exists(orderId)' }));
  }

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async listByUser(userId: string, query: { from?: string; to?: string; limit: number; cursor?: string }): Promise<Page<Order>> {
    const from = query.from ? new Date(query.from).toISOString() : '0000';
    // A bare date as `to` means the whole of that day.
    const to = query.to ? (/^\d{4}-\d{2}-\d{2}$/.test(query.to) ? `${query.to}T23:59:59.999Z` : new Date(query.to).toISOString()) : '9999';
    const startKey = decodeCursor(query.cursor, ['orderId', 'userId', 'createdAt'], { userId });
    if (startKey && !(startKey.createdAt! >= from && startKey.createdAt! <= to)) {
      throw invalid('Cursor is not valid', [{ path: 'cursor', message: 'The cursor lies outside the from/to window' }]);
    }
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byUser',
        KeyConditionExpression: 'userId = :u AND createdAt BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':u': userId, ':from': from, ':to': to },
        ScanIndexForward: false,
        Limit: query.limit + 1,
        ExclusiveStartKey: startKey,
      }),
    );
    const page = Items.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(fromItem),
      nextCursor: Items.length > query.limit && last ? encodeCursor({ orderId: last.orderId, userId: last.userId, createdAt: last.createdAt }) : undefined,
    };
  }

  async confirm(orderId: string, confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] }): Promise<ConfirmOutcome> {
    if (!this.reservationTables) throw new Error('confirm needs the reservation tables');
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { orderId },
                UpdateExpression: 'SET #status = :confirmed, payment = :payment, updatedAt = :at, history = list_append(history, :entry)',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':confirmed': 'CONFIRMED',
                  ':pending': 'PENDING',
                  ':payment': { status: 'CHARGED', chargeId: confirmation.chargeId },
                  ':at': confirmation.at,
                  ':entry': [{ status: 'CONFIRMED', at: confirmation.at }],
                },
              },
            },
            ...commitReservationItems(this.reservationTables, { orderId, lines: confirmation.lines }, confirmation.at),
          ],
        }),
      );
      return 'confirmed';
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const [orderReason, reservationReason] = e.CancellationReasons ?? [];
      if (orderReason?.Code === 'ConditionalCheckFailed') {
        const order = await this.get(orderId);
        return order?.status === 'CONFIRMED' ? 'already-confirmed' : 'not-pending';
      }
      if (reservationReason?.Code === 'ConditionalCheckFailed') return 'reservation-not-held';
      throw e;
    }
  }

  async cancel(orderId: string, cancellation: { reason: FailureReason; payment: { status: PaymentStatus; chargeId?: string }; at: string }): Promise<CancelOutcome> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: 'SET #status = :cancelled, failureReason = :reason, payment = :payment, updatedAt = :at, history = list_append(history, :entry)',
          ConditionExpression: 'attribute_exists(orderId) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'CANCELLED',
            ':pending': 'PENDING',
            ':reason': cancellation.reason,
            ':payment': cancellation.payment,
            ':at': cancellation.at,
            ':entry': [{ status: 'CANCELLED', at: cancellation.at }],
          },
        }),
      );
      return 'cancelled';
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const order = await this.get(orderId);
      if (!order) return 'not-found';
      if (order.status !== 'CANCELLED') return 'not-pending';
      // Cancelled already (e.g. by the sweeper) but a later compensation refunded: the order shows the refund.
      if (order.payment.status !== cancellation.payment.status && cancellation.payment.status === 'REFUNDED') {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { orderId },
            UpdateExpression: 'SET payment = :payment, updatedAt = :at',
            ConditionExpression: '#status = :cancelled',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':payment': cancellation.payment, ':at': cancellation.at, ':cancelled': 'CANCELLED' },
          }),
        );
      }
      return 'already-cancelled';
    }
  }
}
