import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import { decodeBatch, type ArchiveIndexItem } from './format';
import type { ArchiveStore } from './ports';

/** A page of one owner's archive index items, newest first: the window and the key to start after. */
export interface IndexQuery {
  userId: string;
  from: string;
  to: string;
  limit: number;
  startKey?: Record<string, unknown>;
}

/**
 * One page of a user's orders newest first, between two creation times, by the `byUser` index (userId +
 * createdAt) that the orders table and the archive index both have: the two sources GET /v1/orders merges.
 */
export async function queryByUser(
  db: Pick<DynamoDBDocumentClient, 'send'>,
  TableName: string,
  query: IndexQuery,
): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName,
      IndexName: 'byUser',
      KeyConditionExpression: 'userId = :u AND createdAt BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':u': query.userId, ':from': query.from, ':to': query.to },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: query.startKey,
    }),
  );
  return Items;
}

/**
 * Archived orders as the read side finds them: through the archive index (lib/tables.ts: orderArchiveIndex), then
 * — for the whole order — from the archive object the index item names.
 */
export interface ArchivedOrders {
  /** The order's index item, if it was archived. */
  indexed(orderId: string): Promise<ArchiveIndexItem | undefined>;
  /** One owner's index items in a createdAt window, newest first. */
  indexedByUser(query: IndexQuery): Promise<ArchiveIndexItem[]>;
  /** Every index item (reconciliation): status, total, currency and payment as archived. */
  allIndexed(): AsyncIterable<ArchiveIndexItem>;
  /** The whole orders, as stored when archived, of these index items (read from their archive objects). */
  orders(items: readonly ArchiveIndexItem[]): Promise<Record<string, unknown>[]>;
}

export class DynamoArchivedOrders implements ArchivedOrders {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly indexTable: string,
    /** The archive bucket: without it (reconciliation) only the index items are read. */
    private readonly store?: Pick<ArchiveStore, 'getArchive'>,
  ) {}

  async indexed(orderId: string): Promise<ArchiveIndexItem | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.indexTable, Key: { orderId }, ConsistentRead: true }),
    );
    // The lease shares the table: only items naming an archive object are archived orders.
    return Item?.archiveKey ? (Item as ArchiveIndexItem) : undefined;
  }

  async indexedByUser(query: IndexQuery): Promise<ArchiveIndexItem[]> {
    return (await queryByUser(this.db, this.indexTable, query)) as ArchiveIndexItem[];
  }

  async *allIndexed(): AsyncIterable<ArchiveIndexItem> {
    const items = scanItems(this.db, { TableName: this.indexTable, FilterExpression: 'attribute_exists(archiveKey)' });
    for await (const item of items) yield item as ArchiveIndexItem;
  }

  async orders(items: readonly ArchiveIndexItem[]): Promise<Record<string, unknown>[]> {
    const keys = [...new Set(items.map((i) => i.archiveKey))];
    const batches = new Map(await Promise.all(keys.map(async (k) => [k, await this.batch(k)] as const)));
    return items.map((item) => {
      const order = batches.get(item.archiveKey)?.get(item.orderId);
      if (!order) throw new Error(`Order ${item.orderId} is not in its archive ${item.archiveKey}`);
      return order;
    });
  }

  private async batch(archiveKey: string): Promise<Map<string, Record<string, unknown>>> {
    if (!this.store) throw new Error('These archived orders were built without the archive bucket');
    const body = await this.store.getArchive(archiveKey);
    // An index item is written only once its object was read back and verified: one missing is a fault, not a 404.
    if (!body) throw new Error(`Archive object ${archiveKey} is missing`);
    return new Map(decodeBatch(body).map((o) => [o.orderId, o]));
  }
}
