import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WarehouseVersion } from '../ports';

/**
 * A counter of the warehouse's loads, kept as one item of the aggregates table. The consumers bump it after
 * a batch adds rows; the analytics API stores it beside each cached answer and serves the cached answer only
 * while the counter is unchanged. That is how a 15-minute cache and "a confirmed order is counted within
 * 30 s" hold together: new data makes every cached answer stale at once, without enumerating keys.
 */
export const WAREHOUSE_VERSION_ID = 'analytics#warehouse-version';

export type { WarehouseVersion } from '../ports';

export class DynamoWarehouseVersion implements WarehouseVersion {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<number> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { id: WAREHOUSE_VERSION_ID }, ConsistentRead: true }),
    );
    return typeof Item?.version === 'number' ? Item.version : 0;
  }

  async bump(): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id: WAREHOUSE_VERSION_ID },
        UpdateExpression: 'ADD #version :one SET updatedAt = :now',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':one': 1, ':now': new Date().toISOString() },
      }),
    );
  }
}
