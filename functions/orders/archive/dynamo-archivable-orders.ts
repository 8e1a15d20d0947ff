import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import { stubOf, TERMINAL_STATUSES, type StoredOrder } from './format';
import type { ArchivableOrders } from './ports';

/**
 * The orders table for the archive job. Candidates come from a Scan: a daily job that reads the table once,
 * rather than an index every order would carry for its sake.
 */
export class DynamoArchivableOrders implements ArchivableOrders {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *candidates(before: string): AsyncIterable<StoredOrder> {
    const items = scanItems(this.db, {
      TableName: this.tableName,
      ConsistentRead: true,
      FilterExpression:
        '#status IN (:confirmed, :cancelled) AND createdAt < :before AND attribute_not_exists(archived)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':confirmed': TERMINAL_STATUSES[0],
        ':cancelled': TERMINAL_STATUSES[1],
        ':before': before,
      },
    });
    for await (const item of items) yield item as StoredOrder;
  }

  async stored(orderId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }),
    );
    return Item;
  }

  async replaceWithStub(order: StoredOrder, archiveKey: string): Promise<'stubbed' | 'archived' | 'changed'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: stubOf(order, archiveKey),
          // Only the order exactly as archived: a late change (a refund recorded since) keeps it whole here.
          ConditionExpression: 'updatedAt = :updatedAt AND attribute_not_exists(archived)',
          ExpressionAttributeValues: { ':updatedAt': order.updatedAt },
        }),
      );
      return 'stubbed';
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const now = await this.stored(order.orderId);
      return now?.archived === true ? 'archived' : 'changed';
    }
  }
}
