import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PurchaseChange, PurchaseRecords, PurchasedLine } from '../domain/purchases';
import type { PurchaseHistory, PurchaseLine } from '../ports';

/** Orders read for a personal answer: the newest ones, cancelled included — the recent past is what predicts. */
export const HISTORY_ORDERS = 50;
/** An order leaves the history a year after it was placed, as the archive takes it from the orders table. */
export const HISTORY_RETENTION_DAYS = 365;

/** The table's index by shopper, newest first (lib/tables.ts `purchaseHistory`). */
const BY_USER = 'byUser';
const ttlAfter = (iso: string) => Math.floor(Date.parse(iso) / 1000) + HISTORY_RETENTION_DAYS * 86_400;

interface StoredPurchase {
  orderId: string;
  userId: string;
  placedAt: string;
  status: 'PLACED' | 'CONFIRMED' | 'CANCELLED';
  lines?: PurchasedLine[];
}

/**
 * One item per order in the purchase-history table. Each change is one conditional UpdateItem, so a redelivered
 * or late event changes nothing it should not: OrderPlaced sets the placing time (the others only fill it in when
 * it is missing) and never lowers a status; OrderConfirmed does not revive a cancelled order; OrderCancelled is
 * final. A change the condition refuses is one the record already reflects.
 */
export class DynamoPurchases implements PurchaseRecords, PurchaseHistory {
  constructor(
    private readonly dynamo: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async apply(change: PurchaseChange): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({ TableName: this.tableName, Key: { orderId: change.orderId }, ...update(change) }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async recentLines(userId: string): Promise<PurchaseLine[]> {
    const out = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_USER,
        KeyConditionExpression: 'userId = :userId',
        ExpressionAttributeValues: { ':userId': userId },
        ScanIndexForward: false,
        Limit: HISTORY_ORDERS,
      }),
    );
    // Cancelled orders are left out — payment declined or stock ran out, nothing was bought — while placed ones
    // count: the shopper chose those products just now.
    return ((out.Items ?? []) as StoredPurchase[])
      .filter((order) => order.status !== 'CANCELLED')
      .flatMap((order) => (order.lines ?? []).map((line) => ({ ...line, at: order.placedAt, orderId: order.orderId })));
  }
}

function update(change: PurchaseChange) {
  const names = { '#status': 'status', '#ttl': 'ttl' };
  switch (change.kind) {
    case 'placed':
      return {
        UpdateExpression:
          'SET userId = :userId, placedAt = :placedAt, #ttl = :ttl, #status = if_not_exists(#status, :placed), #lines = if_not_exists(#lines, :lines)',
        ExpressionAttributeNames: { ...names, '#lines': 'lines' },
        ExpressionAttributeValues: {
          ':userId': change.userId,
          ':placedAt': change.placedAt,
          ':ttl': ttlAfter(change.placedAt),
          ':placed': 'PLACED',
          ':lines': change.lines,
        },
      };
    case 'confirmed':
      return {
        UpdateExpression:
          'SET userId = :userId, placedAt = if_not_exists(placedAt, :at), #ttl = if_not_exists(#ttl, :ttl), #status = :confirmed, #lines = :lines',
        ConditionExpression: 'attribute_not_exists(#status) OR #status <> :cancelled',
        ExpressionAttributeNames: { ...names, '#lines': 'lines' },
        ExpressionAttributeValues: {
          ':userId': change.userId,
          ':at': change.at,
          ':ttl': ttlAfter(change.at),
          ':confirmed': 'CONFIRMED',
          ':cancelled': 'CANCELLED',
          ':lines': change.lines,
        },
      };
    case 'cancelled':
      return {
        UpdateExpression:
          'SET userId = :userId, placedAt = if_not_exists(placedAt, :at), #ttl = if_not_exists(#ttl, :ttl), #status = :cancelled',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':userId': change.userId,
          ':at': change.at,
          ':ttl': ttlAfter(change.at),
          ':cancelled': 'CANCELLED',
        },
      };
  }
}
