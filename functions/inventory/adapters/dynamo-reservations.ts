import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { pendingOrderCheck } from '../../orders/adapters/dynamo-orders';
import type { HoldOutcome, Reservation, ReservationStore } from '../ports';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** A stored reservation without the attributes only the table's index needs (`held`). */
const fromItem = (item: Reservation): Reservation => ({
  orderId: item.orderId,
  lines: item.lines,
  status: item.status,
  expiresAt: item.expiresAt,
});

export interface ReservationTables {
  inventory: string;
  reservations: string;
  /** For holds conditioned on the stored order (the saga's reservation step has it). */
  orders?: string;
}

/**
 * Stock moves from reserved to sold: the transaction items that commit a reservation, for the order's
 * confirmation. The reservation must still hold exactly `lines` (what its order's stored lines come to), so
 * the stock sold is the stock the reservation held.
 */
export function commitReservationItems(
  tables: ReservationTables,
  reservation: Pick<Reservation, 'orderId' | 'lines'>,
  at: string,
): TransactItem[] {
  return [
    {
      Update: {
        TableName: tables.reservations,
        Key: { orderId: reservation.orderId },
        UpdateExpression: 'SET #status = :committed, committedAt = :at REMOVE held',
        // An expired reservation is not committed even if settlement has not reached it yet.
        ConditionExpression: '#status = :held AND expiresAt > :at AND #lines = :lines',
        ExpressionAttributeNames: { '#status': 'status', '#lines': 'lines' },
        ExpressionAttributeValues: {
          ':committed': 'COMMITTED',
          ':held': 'HELD',
          ':at': at,
          ':lines': reservation.lines,
        },
      },
    },
    ...reservation.lines.map((line): TransactItem => ({
      Update: {
        TableName: tables.inventory,
        Key: { productId: line.productId },
        UpdateExpression: 'SET reserved = reserved - :q, sold = if_not_exists(sold, :zero) + :q',
        ConditionExpression: 'reserved >= :q',
        ExpressionAttributeValues: { ':q': line.quantity, ':zero': 0 },
      },
    })),
  ];
}

export class DynamoReservationStore implements ReservationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ReservationTables,
  ) {}

  async get(orderId: string): Promise<Reservation | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.reservations, Key: { orderId }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item as Reservation) : undefined;
  }

  async hold(
    reservation: Omit<Reservation, 'status'>,
    options: { ifOrderHasLines?: boolean } = {},
  ): Promise<HoldOutcome> {
    const orderCheck =
      options.ifOrderHasLines && this.tables.orders
        ? [pendingOrderCheck(this.tables.orders, reservation.orderId, { lines: reservation.lines })]
        : [];
    if (options.ifOrderHasLines && !orderCheck.length) return { kind: 'order-differs' };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.reservations,
                Item: { ...reservation, status: 'HELD', held: 'HELD' },
                ConditionExpression: 'attribute_not_exists(orderId)',
              },
            },
            ...reservation.lines.map((line): TransactItem => ({
              Update: {
                TableName: this.tables.inventory,
                Key: { productId: line.productId },
                UpdateExpression: 'SET available = available - :q, reserved = if_not_exists(reserved, :zero) + :q',
                ConditionExpression: 'available >= :q',
                ExpressionAttributeValues: { ':q': line.quantity, ':zero': 0 },
              },
            })),
            ...orderCheck,
          ],
        }),
      );
      return { kind: 'held' };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      // Before anything else: what the other reasons mean rests on lines the order may not have.
      if (orderCheck.length && reasons[reservation.lines.length + 1]?.Code === 'ConditionalCheckFailed')
        return { kind: 'order-differs' };
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'exists' };
      const short = reservation.lines
        .filter((_, i) => reasons[i + 1]?.Code === 'ConditionalCheckFailed')
        .map((l) => l.productId);
      if (short.length) return { kind: 'insufficient', productIds: short };
      throw e; // TransactionConflict and the like: transient, retried by the saga.
    }
  }

  async release(reservation: Reservation): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.reservations,
                Key: { orderId: reservation.orderId },
                UpdateExpression: 'SET #status = :released, releasedAt = :at REMOVE held',
                ConditionExpression: '#status = :held',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':released': 'RELEASED',
                  ':held': 'HELD',
                  ':at': new Date().toISOString(),
                },
              },
            },
            ...reservation.lines.map((line): TransactItem => ({
              Update: {
                TableName: this.tables.inventory,
                Key: { productId: line.productId },
                UpdateExpression: 'SET available = available + :q, reserved = reserved - :q',
                ConditionExpression: 'reserved >= :q',
                ExpressionAttributeValues: { ':q': line.quantity },
              },
            })),
          ],
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof TransactionCanceledException && e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed')
        return false;
      throw e;
    }
  }

  async tombstone(orderId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.reservations,
          Item: { orderId, lines: [], status: 'RELEASED', expiresAt: at, releasedAt: at },
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async listExpired(before: string, limit: number): Promise<Reservation[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tables.reservations,
        IndexName: 'heldByExpiry',
        KeyConditionExpression: 'held = :held AND expiresAt < :before',
        ExpressionAttributeValues: { ':held': 'HELD', ':before': before },
        Limit: limit,
      }),
    );
    return (Items as Reservation[]).map(fromItem);
  }
}
