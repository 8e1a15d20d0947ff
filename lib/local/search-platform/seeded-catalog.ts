/**
 * The catalog a fresh start is seeding, as the products index's source: the very items the seed writes to the products
 * table (seed/seed.ts), so the index loads beside the seeding instead of scanning the table after it. The indexer then
 * finds each product on the products stream already at its version, as after a load from the table.
 */
import { toItem } from '../../../functions/catalog/adapters/dynamo-products';
import type { CatalogProducts } from '../../../functions/search/ports';
import type { SeedProduct } from '../../../catalog-data/catalog';
import { seedProductToProduct } from '../seed/seed';

export class SeededCatalogProducts implements CatalogProducts {
  constructor(private readonly products: readonly SeedProduct[]) {}

  async *pages(pageSize: number): AsyncIterable<unknown[]> {
    for (let i = 0; i < this.products.length; i += pageSize) {
      // A turn of the event loop between pages: the seeding's responses, beside it, are not kept waiting.
      await new Promise((resolve) => setImmediate(resolve));
      yield this.products.slice(i, i + pageSize).map((p) => toItem(seedProductToProduct(p)));
    }
  }

  approximateCount(): Promise<number> {
    return Promise.resolve(this.products.length);
  }
}
