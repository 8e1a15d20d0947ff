import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../functions/shared/errors';
import { createProduct, listPartnerProducts, updateProduct } from '../../functions/catalog/domain/products';
import { DynamoProductRepository, toItem } from '../../functions/catalog/adapters/dynamo-products';
import {
  SkuTakenError,
  VersionConflictError,
  type CatalogDeps,
  type ProductRepository,
} from '../../functions/catalog/ports';
import type { Product } from '../../functions/catalog/schemas';

/** An in-memory repository with the same contract as the DynamoDB adapter. */
class MemoryProducts implements ProductRepository {
  readonly items = new Map<string, Product>();
  async create(p: Product) {
    if ([...this.items.values()].some((x) => x.sku === p.sku)) throw new SkuTakenError(p.sku);
    this.items.set(p.id, p);
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async replace(p: Product, expected: number) {
    if (this.items.get(p.id)?.version !== expected) throw new VersionConflictError(p.id);
    this.items.set(p.id, p);
  }
  async listActive() {
    return { items: [...this.items.values()].filter((p) => p.status === 'ACTIVE') };
  }
}

const deps = (): CatalogDeps & { stockSet: Map<string, number> } => {
  const stockSet = new Map<string, number>();
  let n = 0;
  return {
    products: new MemoryProducts(),
    stock: { initialise: async (id, available) => void stockSet.set(id, available) },
    clock: { now: () => new Date('2026-01-02T03:04:05Z') },
    newId: () => `p${++n}`,
    stockSet,
  };
};

const input = {
  name: 'Mug',
  description: '',
  category: 'kitchen-dining' as const,
  brand: 'B',
  price: 500,
  currency: 'GBP' as const,
};

describe('catalog domain', () => {
  it('generates a SKU from the id when none is given and starts at version 1', async () => {
    const d = deps();
    const p = await createProduct(input, d);
    expect(p).toMatchObject({
      id: 'p1',
      sku: 'SKU-P1',
      version: 1,
      status: 'ACTIVE',
      createdAt: '2026-01-02T03:04:05.000Z',
    });
    expect(d.stockSet.get('p1')).toBe(0);
  });

  it('turns a taken SKU into a 409 CONFLICT and creates no stock', async () => {
    const d = deps();
    await createProduct({ ...input, sku: 'A1' }, d);
    const err = await createProduct({ ...input, sku: 'A1' }, d).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(d.stockSet.has('p2')).toBe(false);
  });

  it('refuses an update whose version is not the stored one', async () => {
    const d = deps();
    const p = await createProduct(input, d);
    await updateProduct(p.id, { version: 1, price: 600 }, d);
    await expect(updateProduct(p.id, { version: 1, price: 700 }, d)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await d.products.get(p.id))?.price).toBe(600);
  });

  it('keeps id, sku and createdAt through an update', async () => {
    const d = deps();
    const p = await createProduct(input, d);
    const u = await updateProduct(p.id, { version: 1, name: 'Big Mug' }, d);
    expect(u).toMatchObject({ id: p.id, sku: p.sku, createdAt: p.createdAt, version: 2, name: 'Big Mug' });
  });

  it('answers an unknown product with NOT_FOUND', async () => {
    await expect(updateProduct('nope', { version: 1, price: 1 }, deps())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe("the partners' catalog feed", () => {
  const product = (id: string): Product => ({
    id,
    sku: `SKU-${id}`,
    name: `Product ${id}`,
    description: 'Long text a marketplace does not take',
    category: 'lighting',
    brand: 'B',
    price: 1299,
    currency: 'EUR',
    imageUrls: ['https://example.com/a.webp'],
    attributes: { colour: 'red' },
    popularity: 3,
    status: 'ACTIVE',
    version: 4,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-02-03T04:05:06.000Z',
  });

  it("is the catalog's listing of active products, each cut down to what a marketplace lists, with its cursor", async () => {
    const asked: unknown[] = [];
    const products = {
      listActive: async (query: unknown) => {
        asked.push(query);
        return { items: [product('a')], nextCursor: 'next' };
      },
    } as unknown as ProductRepository;
    const page = await listPartnerProducts({ limit: 250, cursor: 'abc' }, { products });
    expect(asked).toEqual([{ limit: 250, cursor: 'abc' }]);
    expect(page).toEqual({
      items: [
        {
          id: 'a',
          sku: 'SKU-a',
          name: 'Product a',
          price: 1299,
          currency: 'EUR',
          updatedAt: '2026-02-03T04:05:06.000Z',
        },
      ],
      nextCursor: 'next',
    });
  });

  it('carries on after a page DynamoDB cut short at 1 MB: a cursor from its last item, though fewer than asked', async () => {
    const items = [toItem(product('a')), toItem(product('b'))];
    const reply = (LastEvaluatedKey?: Record<string, string>) =>
      new DynamoProductRepository({ send: async () => ({ Items: items, LastEvaluatedKey }) } as never, 'products');
    const cut = await reply({ id: 'b', listed: 'ACTIVE' }).listActive({ limit: 500 });
    expect(cut.items.map((p) => p.id)).toEqual(['a', 'b']);
    expect(JSON.parse(Buffer.from(cut.nextCursor!, 'base64url').toString())).toEqual({ id: 'b', listed: 'ACTIVE' });
    // The end of the index: no cursor.
    expect((await reply().listActive({ limit: 500 })).nextCursor).toBeUndefined();
  });
});
