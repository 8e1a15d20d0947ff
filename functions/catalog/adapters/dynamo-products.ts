import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  type BatchGetCommandOutput,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { invalid } from '../../shared/errors';
import { testDataMark } from '../../shared/test-data';
import { decodeCursor, encodeCursor, isStartKeyRejection, type Page } from '../../shared/pagination';
import { SkuTakenError, VersionConflictError, type ProductRepository } from '../ports';
import type { Product } from '../schemas';

type ProductItem = Product & { listed?: string; listedCategory?: string };

/** Only ACTIVE products carry the sparse index keys that listing reads. */
export const toItem = (p: Product): ProductItem =>
  p.status === 'ACTIVE' ? { ...p, listed: 'ACTIVE', listedCategory: p.category } : { ...p };

/** Fields in the contract's order, whatever order the store returns them in. */
const fromItem = (item: ProductItem): Product => ({
  id: item.id,
  sku: item.sku,
  name: item.name,
  description: item.description,
  category: item.category,
  brand: item.brand,
  price: item.price,
  currency: item.currency,
  imageUrls: item.imageUrls ?? [],
  attributes: item.attributes ?? {},
  popularity: item.popularity ?? 0,
  status: item.status,
  version: item.version,
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
});

export class DynamoProductRepository implements ProductRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Only writers that create products need (and are granted) the SKU table. */
    private readonly skuTableName?: string,
  ) {}

  async create(product: Product, options: { testData?: boolean } = {}): Promise<void> {
    if (!this.skuTableName) throw new Error('Creating products needs the SKU table');
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.skuTableName,
                Item: { sku: product.sku, productId: product.id },
                ConditionExpression: 'attribute_not_exists(sku)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...toItem(product), ...testDataMark(options.testData) },
                ConditionExpression: 'attribute_not_exists(id)',
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException && e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new SkuTakenError(product.sku);
      }
      throw e;
    }
  }

  async get(id: string): Promise<Product | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { id } }));
    return Item ? fromItem(Item as ProductItem) : undefined;
  }

  /**
   * Several products by id in as few requests as DynamoDB allows (100 keys each, in parallel), unprocessed
   * keys retried; ids not in the table are absent from the map.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, Product>();
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        let keys: Record<string, unknown>[] | undefined = chunk.map((id) => ({ id }));
        for (let attempt = 0; keys?.length; attempt++) {
          if (attempt === 5)
            throw new Error(`DynamoDB left ${keys.length} product keys unprocessed after ${attempt} attempts`);
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
          const output: BatchGetCommandOutput = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
          );
          for (const item of output.Responses?.[this.tableName] ?? [])
            found.set(item.id as string, fromItem(item as ProductItem));
          keys = output.UnprocessedKeys?.[this.tableName]?.Keys;
        }
      }),
    );
    return found;
  }

  async replace(product: Product, expectedVersion: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(product),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new VersionConflictError(product.id);
      throw e;
    }
  }

  /**
   * Every product, whatever its status, a page at a time: for whole-catalog jobs (the search context's reindex),
   * never for a request. Strongly consistent: a page holds each product as last written before it was read.
   */
  async *scanPages(pageSize: number): AsyncIterable<Product[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({ TableName: this.tableName, Limit: pageSize, ExclusiveStartKey, ConsistentRead: true }),
      );
      if (page.Items?.length) yield (page.Items as ProductItem[]).map(fromItem);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async listActive({
    category,
    limit,
    cursor,
  }: {
    category?: string;
    limit: number;
    cursor?: string;
  }): Promise<Page<Product>> {
    const byCategory = category !== undefined;
    const partitionKey = byCategory ? 'listedCategory' : 'listed';
    const partition = byCategory ? category : 'ACTIVE';
    const startKey = decodeCursor(cursor, ['id', partitionKey], { [partitionKey]: partition });
    // One item more than asked tells whether another page exists, so the last page carries no cursor.
    const { Items = [], LastEvaluatedKey } = await this.db
      .send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byCategory ? 'activeByCategory' : 'activeById',
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          Limit: limit + 1,
          ExclusiveStartKey: startKey,
        }),
      )
      .catch((e: unknown) => {
        throw isStartKeyRejection(e)
          ? invalid('Cursor is not valid', [{ path: 'cursor', message: 'Not a cursor this API issued for this query' }])
          : e;
      });
    const page = Items.slice(0, limit) as ProductItem[];
    const last = page.at(-1);
    // DynamoDB also stops at 1 MB read (a partner's large page): then the page is short and more may follow.
    const more = (Items.length > limit || LastEvaluatedKey !== undefined) && last;
    return {
      items: page.map(fromItem),
      nextCursor: more ? encodeCursor({ id: last.id, [partitionKey]: last[partitionKey as 'listed'] }) : undefined,
    };
  }
}
