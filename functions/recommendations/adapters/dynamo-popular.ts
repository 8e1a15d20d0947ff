import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PopularProducts } from '../ports';
import { PopularAggregate } from '../schemas';

/** The aggregates-table item holding the fallback's ranking. */
export const POPULAR_AGGREGATE_ID = 'recommendations#popular';
/** Enough to fill the largest page (100) after hydration drops inactive products, in one small item (~6 KB). */
export const POPULAR_AGGREGATE_SIZE = 200;

/**
 * The precomputed popularity ranking in the aggregates table: one GetItem. Empty when nothing has
 * written it yet (a first local start whose model is still training).
 */
export class DynamoPopularProducts implements PopularProducts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async top() {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { id: POPULAR_AGGREGATE_ID } }),
    );
    const parsed = PopularAggregate.safeParse(Item);
    return parsed.success
      ? { items: parsed.data.items, version: parsed.data.modelVersion }
      : { items: [], version: 'none' };
  }
}

/**
 * Writes the ranking: the local substrate from the model it serves, training in AWS from the model it
 * publishes (`npm run ml:publish-popular`). `items` best first.
 */
export async function writePopularAggregate(
  db: DynamoDBDocumentClient,
  tableName: string,
  aggregate: { items: [productId: string, score: number][]; modelVersion: string; computedAt?: string },
): Promise<void> {
  const item: PopularAggregate = {
    id: POPULAR_AGGREGATE_ID,
    items: aggregate.items.slice(0, POPULAR_AGGREGATE_SIZE).map(([id, score]) => [id, Math.round(score * 1e6) / 1e6]),
    modelVersion: aggregate.modelVersion,
    computedAt: aggregate.computedAt ?? new Date().toISOString(),
  };
  await db.send(new PutCommand({ TableName: tableName, Item: item }));
}
