import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ImageRecord, ImageRecords } from '../ports';

/** One item per image (productId, imageId): its status, and the reason or the variants' URLs once settled. */
export class DynamoImageRecords implements ImageRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ImageRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: record,
        ConditionExpression: 'attribute_not_exists(imageId)',
      }),
    );
  }

  async get(productId: string, imageId: string): Promise<ImageRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { productId, imageId }, ConsistentRead: true }),
    );
    return Item as ImageRecord | undefined;
  }

  async settle(record: ImageRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: '#status = :processing',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':processing': 'PROCESSING' },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async delete(productId: string, imageId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { productId, imageId } }));
  }
}
