/**
 * A fresh start loads the products index from the catalog it is seeding (lib/local/search-platform/seeded-catalog.ts)
 * rather than from the table once seeded: the items it reads must be the very items the seed writes, and the
 * reindex's load must index every one of them.
 */
import { describe, expect, it } from '@jest/globals';
import { SeededCatalogProducts } from '@ecicomm/local-platform/search-platform/seeded-catalog';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { seedProductToProduct } from '@ecicomm/local-platform/seed/seed';
import { toItem } from '../../functions/catalog/adapters/dynamo-products';
import { loadCatalog } from '../../functions/search/domain/reindex';
import type { IndexAction } from '../../functions/search/domain/documents';

const collect = async (pages: AsyncIterable<unknown[]>) => {
  const out: unknown[][] = [];
  for await (const page of pages) out.push(page);
  return out;
};

describe('SeededCatalogProducts', () => {
  it('pages the items the seed writes, in order, and counts them exactly', async () => {
    const catalog = new SeededCatalogProducts(DEMO_CATALOG);
    const pages = await collect(catalog.pages(7));
    expect(pages.every((p) => p.length <= 7)).toBe(true);
    expect(pages.flat()).toEqual(DEMO_CATALOG.map((p) => toItem(seedProductToProduct(p))));
    expect(await catalog.approximateCount()).toBe(DEMO_CATALOG.length);
  });

  it("is read by the reindex's load as stored products: every seeded product indexed at version 1", async () => {
    const written: IndexAction[] = [];
    const summary = await loadCatalog(
      new SeededCatalogProducts(DEMO_CATALOG),
      {
        bulk: (actions) => (
          written.push(...actions),
          Promise.resolve(actions.map(() => ({ status: 'applied' as const })))
        ),
      },
      { activeOnly: true, pass: 'load', pageSize: 10 },
    );
    expect(summary).toMatchObject({ read: DEMO_CATALOG.length, indexed: DEMO_CATALOG.length, failures: [] });
    expect(written.map((a) => [a.kind, a.id, a.version])).toEqual(DEMO_CATALOG.map((p) => ['index', p.id, 1]));
  });
});
