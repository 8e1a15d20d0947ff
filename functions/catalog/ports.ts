import type { Page } from '../shared/pagination';
import type { Clock } from '../shared/clock';
import type { Product } from './schemas';

export class SkuTakenError extends Error {}
export class VersionConflictError extends Error {}

export interface ProductRepository {
  /** Creates the product and claims its SKU atomically; throws SkuTakenError when the SKU exists. */
  /** `testData`: a replayed fixture's product, which analytics never loads (functions/shared/test-data.ts). */
  create(product: Product, options?: { testData?: boolean }): Promise<void>;
  get(id: string): Promise<Product | undefined>;
  /** Replaces the product if its stored version is still `expectedVersion`; else VersionConflictError. */
  replace(product: Product, expectedVersion: number): Promise<void>;
  listActive(options: { category?: string; limit: number; cursor?: string }): Promise<Page<Product>>;
}

/** The inventory context's API, as the catalog needs it when a product is created with stock. */
export interface StockInitializer {
  initialise(productId: string, available: number, options?: { testData?: boolean }): Promise<void>;
}

export interface CatalogDeps {
  products: ProductRepository;
  stock: StockInitializer;
  clock: Clock;
  newId: () => string;
}
