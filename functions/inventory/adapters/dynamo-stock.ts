import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { testDataMark } from '../../shared/test-data';
import type { StockRepository } from '../ports';
import type { StockLevel } from '../schemas';

const level = (item: Record<string, unknown>): StockLevel => ({
  productId: String(item.productId),
  available: Number(item.available ?? 0),
  reserved: Number(item.reserved ?? 0),
});

export class DynamoStockRepository implements StockRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(productId: string): Promise<StockLevel | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { productId }, ConsistentRead: true }),
    );
    return Item ? level(Item) : undefined;
  }

  async initialise(productId: string, available: number, options: { testData?: boolean } = {}): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { productId, available, reserved: 0, ...testDataMark(options.testData) },
          ConditionExpression: 'attribute_not_exists(productId)',
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async setAvailable(productId: string, available: number): Promise<StockLevel | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { productId },
          UpdateExpression: 'SET available = :available',
          ConditionExpression: 'attribute_exists(productId)',
          ExpressionAttributeValues: { ':available': available },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? level(Attributes) : undefined;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }
}
