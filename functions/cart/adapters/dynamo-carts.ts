import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CartChangedError, type CartRepository, type StoredCart } from '../ports';

export class DynamoCartRepository implements CartRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(ownerId: string): Promise<StoredCart | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { ownerId }, ConsistentRead: true }),
    );
    return Item as StoredCart | undefined;
  }

  async save(cart: StoredCart, expectedVersion: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: cart,
          ...(expectedVersion === 0
            ? // No live cart was read: there is none, or only an expired one TTL has not removed yet.
              {
                ConditionExpression: 'attribute_not_exists(ownerId) OR #ttl < :now',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
              }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new CartChangedError(cart.ownerId);
      throw e;
    }
  }

  /**
   * Read, then delete only if still that version: of concurrent takers exactly one wins. (A bare delete
   * returning ALL_OLD is not enough: DynamoDB Local hands the old item to several racing deletes.)
   */
  async take(ownerId: string): Promise<StoredCart | undefined> {
    const cart = await this.get(ownerId);
    if (!cart) return undefined;
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { ownerId },
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': cart.version },
        }),
      );
      return cart;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }

  async delete(ownerId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { ownerId } }));
  }
}
