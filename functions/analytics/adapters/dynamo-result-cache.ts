import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchGetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CachedResult, ResultCache } from '../ports';
import { WAREHOUSE_VERSION_ID } from './warehouse-version';

export const cacheItemId = (key: string) => `analytics-cache#${key}`;

/** DynamoDB items stop at 400 KB; a larger answer is not cached (the caller serves it anyway). */
const MAX_VALUE_BYTES = 350_000;

/**
 * Cached analytics answers as items of the aggregates table, beside the warehouse version counter, so one
 * consistent BatchGetItem reads both. The answer is stored gzipped: a product report of a few thousand rows
 * is ~10 times smaller, well inside the item limit. DynamoDB's TTL (`ttl`, epoch seconds) only sweeps expired
 * items up, up to days late: expiry is decided by `expiresAt` on every read.
 */
export class DynamoResultCache implements ResultCache {
  constructor(
    private readonly dynamo: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
    private readonly options: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {},
  ) {}

  async lookup(key: string): Promise<{ version: number; entry?: CachedResult }> {
    const id = cacheItemId(key);
    const items = new Map<string, Record<string, unknown>>();
    let keys: Record<string, unknown>[] = [{ id: WAREHOUSE_VERSION_ID }, { id }];
    const attempts = this.options.attempts ?? 3;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; keys.length > 0 && attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(25 * 2 ** (attempt - 2));
      const out = await this.dynamo.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) items.set(String(item.id), item);
      // Throttled keys come back unprocessed; without the version the entry cannot be judged.
      keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    if (keys.length > 0) throw new Error(`BatchGetItem left ${keys.length} key(s) unprocessed`);
    const counter = items.get(WAREHOUSE_VERSION_ID)?.version;
    return { version: typeof counter === 'number' ? counter : 0, entry: decode(items.get(id)) };
  }

  async store(key: string, entry: CachedResult): Promise<void> {
    const value = gzipSync(JSON.stringify(entry.value));
    if (value.byteLength > MAX_VALUE_BYTES)
      throw new Error(`answer too large to cache (${value.byteLength} bytes gzipped)`);
    await this.dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          id: cacheItemId(key),
          value: new Uint8Array(value),
          version: entry.version,
          expiresAt: entry.expiresAt,
          ttl: Math.ceil(entry.expiresAt / 1000),
        },
      }),
    );
  }
}

/** An item this code did not write, or cannot read, is no entry: the answer is recomputed and overwrites it. */
function decode(item: Record<string, unknown> | undefined): CachedResult | undefined {
  if (
    !item ||
    !(item.value instanceof Uint8Array) ||
    typeof item.version !== 'number' ||
    typeof item.expiresAt !== 'number'
  )
    return undefined;
  try {
    return {
      value: JSON.parse(gunzipSync(item.value).toString('utf8')) as unknown,
      version: item.version,
      expiresAt: item.expiresAt,
    };
  } catch {
    return undefined;
  }
}
