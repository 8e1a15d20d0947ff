import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ArchiveLease, LeaseHolder } from './ports';

/** The lease's item in the archive index: its key is no order id, and it has no userId (never listed). */
export const ARCHIVE_LEASE_ID = 'lease#archive-orders';

const conditionFailed = (e: unknown) => e instanceof ConditionalCheckFailedException;

/** The archive lease as one conditional item: taken if absent, expired or ours; renewed and released only by its owner. */
export class DynamoArchiveLease implements ArchiveLease {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly indexTable: string,
  ) {}

  async acquire(owner: string, now: string, expiresAt: string) {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.indexTable,
          Item: { orderId: ARCHIVE_LEASE_ID, owner, expiresAt, acquiredAt: now },
          ConditionExpression: 'attribute_not_exists(orderId) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      );
      return { acquired: true as const };
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.indexTable, Key: { orderId: ARCHIVE_LEASE_ID }, ConsistentRead: true }),
    );
    // Released between our put and this read: say so rather than name no one (the caller may try again).
    const holder: LeaseHolder = Item
      ? { owner: String(Item.owner), expiresAt: String(Item.expiresAt) }
      : { owner: 'a run that has just finished', expiresAt: now };
    return { acquired: false as const, holder };
  }

  async renew(owner: string, expiresAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.indexTable,
          Key: { orderId: ARCHIVE_LEASE_ID },
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':expiresAt': expiresAt, ':owner': owner },
        }),
      );
      return true;
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return false;
    }
  }

  async release(owner: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.indexTable,
          Key: { orderId: ARCHIVE_LEASE_ID },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
  }
}
