import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import type { StockLevels } from '../ports';

/**
 * Every stock record's available units, read from the inventory table (the inventory context's, read-only). A scan:
 * one record per product, a few thousand at most, read by analysts a few times an hour, never by shoppers.
 */
export class DynamoStockLevels implements StockLevels {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async available(): Promise<Map<string, number>> {
    const levels = new Map<string, number>();
    const items = scanItems(this.db, {
      TableName: this.tableName,
      ProjectionExpression: 'productId, available',
    });
    for await (const item of items) {
      const available = Number(item.available ?? 0);
      if (typeof item.productId === 'string' && Number.isFinite(available)) levels.set(item.productId, available);
    }
    return levels;
  }
}
