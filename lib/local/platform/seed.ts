/** The seeded data: promotions, and the catalog (the dataset or the demo one) on a first start. */
import { writeFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Platform, PlatformOptions } from './types';
import type { SeedProduct } from '../../../catalog-data/catalog';
import { loadSeedCatalog } from '../seed/catalog-source';
import { seedPromotions } from '../seed/promotions';
import { isSeeded, seedCatalog } from '../seed/seed';
import { catalogSeedPending, seedMarkerOf } from './data-dir';

export interface CatalogLoading {
  /** The marker a seeded data directory carries (where its catalog came from). */
  seedMarker: string;
  load: () => ReturnType<typeof loadSeedCatalog>;
  /** Under way since the start on a first start; undefined otherwise. */
  early: ReturnType<typeof loadSeedCatalog> | undefined;
}

/** Reading the dataset is CPU work for Node while the JVM starts: do both at once on a first start. */
export function startLoadingCatalog(options: PlatformOptions): CatalogLoading {
  const load = () => loadSeedCatalog({ datasetDir: options.seed === 'demo' ? undefined : options.datasetDir });
  const early = catalogSeedPending(options) ? load() : undefined;
  early?.catch(() => undefined); // Awaited (and its error surfaced) where the catalog is seeded.
  return { seedMarker: seedMarkerOf(options.dataDir), load, early };
}

export async function seedData(
  dynamo: DynamoDBDocumentClient,
  tableNames: Platform['tableNames'],
  options: PlatformOptions,
  catalogLoading: CatalogLoading,
  /** Told the catalog just before it is written (the search index loads from it meanwhile). */
  onSeeding?: (products: SeedProduct[]) => void,
) {
  await seedPromotions(dynamo, tableNames.promotions);
  let seeded: Platform['seeded'] = { source: 'none', products: 0 };
  let seedProducts: SeedProduct[] | undefined;
  const seedTables = {
    products: tableNames.products,
    productSkus: tableNames.productSkus,
    inventory: tableNames.inventory,
  };
  if (options.seed !== 'none') {
    if (await isSeeded(dynamo, seedTables)) {
      seeded = { source: 'existing', products: 0 };
    } else {
      const catalog = await (catalogLoading.early ?? catalogLoading.load());
      onSeeding?.(catalog.products);
      await seedCatalog(dynamo, seedTables, catalog.products, options.onSeedProgress);
      writeFileSync(
        catalogLoading.seedMarker,
        JSON.stringify({ source: catalog.source, products: catalog.products.length, at: new Date().toISOString() }),
      );
      seeded = { source: catalog.source, products: catalog.products.length };
      seedProducts = catalog.products;
    }
  }
  return { seeded, seedProducts };
}
