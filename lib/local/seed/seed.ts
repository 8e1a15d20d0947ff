/** Loads the seed catalog into the products, SKU and inventory tables, through the same item shapes the adapters write. */
import { BatchWriteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Product } from '../../../functions/catalog/schemas';
import { toItem } from '../../../functions/catalog/adapters/dynamo-products';
import type { SeedProduct } from './catalog-source';

export interface SeedTables {
  products: string;
  productSkus: string;
  inventory: string;
}

const MARKER_SKU = '__seeded__';

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

async function batchWrite(db: DynamoDBDocumentClient, requests: Record<string, Record<string, unknown>[]>) {
  let pending: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = Object.fromEntries(
    Object.entries(requests).map(([table, items]) => [table, items.map((Item) => ({ PutRequest: { Item } }))]),
  );
  for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: pending }));
    pending = (UnprocessedItems ?? {}) as typeof pending;
  }
}

export const seedProductToProduct = (p: SeedProduct): Product => ({
  id: p.id,
  sku: p.sku,
  name: p.name,
  description: p.description,
  category: p.category,
  brand: p.brand,
  price: p.price,
  currency: p.currency,
  imageUrls: [],
  attributes: {},
  popularity: p.popularity,
  status: 'ACTIVE',
  version: 1,
  createdAt: p.createdAt,
  updatedAt: p.createdAt,
});

export async function isSeeded(db: DynamoDBDocumentClient, tables: SeedTables): Promise<boolean> {
  const { Item } = await db.send(new GetCommand({ TableName: tables.productSkus, Key: { sku: MARKER_SKU } }));
  return Boolean(Item);
}

/**
 * Writes products, their SKU claims and stock, 25 items per BatchWrite (8 products × 3 items), a few
 * batches in flight. The marker written last makes a restart skip seeding only once it completed.
 */
export async function seedCatalog(
  db: DynamoDBDocumentClient,
  tables: SeedTables,
  products: SeedProduct[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const batches = chunks(products, 8);
  let done = 0;
  // DynamoDB Local takes parallel batches well; more than this only queues inside the JVM.
  const inFlight = 12;
  for (let i = 0; i < batches.length; i += inFlight) {
    await Promise.all(
      batches.slice(i, i + inFlight).map(async (batch) => {
        await batchWrite(db, {
          [tables.products]: batch.map((p) => toItem(seedProductToProduct(p))),
          [tables.productSkus]: batch.map((p) => ({ sku: p.sku, productId: p.id })),
          [tables.inventory]: batch.map((p) => ({ productId: p.id, available: p.initialStock, reserved: 0 })),
        });
        done += batch.length;
        onProgress?.(done, products.length);
      }),
    );
  }
  await db.send(new PutCommand({ TableName: tables.productSkus, Item: { sku: MARKER_SKU, productId: '', seededAt: new Date().toISOString(), count: products.length } }));
}
