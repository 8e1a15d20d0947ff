import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import { indexItemOf, TERMINAL_STATUSES, type StoredOrder } from './format';
import type { ArchivableOrders, MoveOutcome } from './ports';

const conditionFailed = (e: unknown) => e instanceof ConditionalCheckFailedException;

/**
 * The orders table and the archive index for the archive job. Candidates come from a Scan: a daily job that
 * reads the table once, rather than an index every order would carry for its sake.
 */
export class DynamoArchivableOrders implements ArchivableOrders {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly ordersTable: string,
    private readonly indexTable: string,
  ) {}

  async *candidates(before: string): AsyncIterable<StoredOrder> {
    const items = scanItems(this.db, {
      TableName: this.ordersTable,
      ConsistentRead: true,
      // `archived` items are the stubs an earlier version of the job left in the table: not orders to archive.
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

  async moveToArchive(order: StoredOrder, archiveKey: string): Promise<MoveOutcome> {
    if (!(await this.index(order, archiveKey))) return 'conflict';
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.ordersTable,
          Key: { orderId: order.orderId },
          // Only the order exactly as archived: a late change (a refund recorded since) keeps it whole here.
          ConditionExpression: 'updatedAt = :updatedAt AND #status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':updatedAt': order.updatedAt, ':status': order.status },
        }),
      );
      return 'moved';
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.ordersTable, Key: { orderId: order.orderId }, ConsistentRead: true }),
    );
    if (!Item) return 'gone'; // deleted by the run that began this batch
    await this.unindex(order.orderId, archiveKey);
    return 'changed';
  }

  /** Writes the order's index item unless another archive object's is there: false then. */
  private async index(order: StoredOrder, archiveKey: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.indexTable,
          Item: indexItemOf(order, archiveKey),
          ConditionExpression: 'attribute_not_exists(orderId) OR archiveKey = :key',
          ExpressionAttributeValues: { ':key': archiveKey },
        }),
      );
      return true;
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return false;
    }
  }

  /** Removes the index item this archive object wrote (not another's). */
  private async unindex(orderId: string, archiveKey: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.indexTable,
          Key: { orderId },
          ConditionExpression: 'archiveKey = :key',
          ExpressionAttributeValues: { ':key': archiveKey },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
  }
}
