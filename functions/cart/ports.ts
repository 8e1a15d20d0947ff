import type { Clock } from '../shared/clock';
import type { Promotion } from './domain/promotions';

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface StoredCart {
  ownerId: string;
  lines: CartLine[];
  promoCode?: string;
  /** Optimistic concurrency: each write expects the version it read. */
  version: number;
  updatedAt: string;
  /** Epoch seconds; DynamoDB TTL removes the cart after it, and reads treat it as gone. */
  ttl: number;
}

export class CartChangedError extends Error {}

export interface CartRepository {
  get(ownerId: string): Promise<StoredCart | undefined>;
  /** Writes the cart if its stored version is still `expectedVersion` (0: none yet); else CartChangedError. */
  save(cart: StoredCart, expectedVersion: number): Promise<void>;
  delete(ownerId: string): Promise<void>;
  /** Deletes the cart and returns what it held, atomically: of concurrent takers exactly one gets it. */
  take(ownerId: string): Promise<StoredCart | undefined>;
}

export interface PromotionRepository {
  get(code: string): Promise<Promotion | undefined>;
  /** The order on which the shopper used the code, if they did (a cancelled order gives it back). */
  redeemedBy(code: string, userId: string): Promise<string | undefined>;
}

/** The catalog and inventory as the cart sees them: live prices and what can still be sold. */
export interface ProductLookup {
  get(productId: string): Promise<CatalogProduct | undefined>;
  /** Several at once (one BatchGetItem): pricing reads every line's product. */
  getMany(productIds: readonly string[]): Promise<Map<string, CatalogProduct>>;
}
export type CatalogProduct = { id: string; name: string; price: number; currency: string; status: string };
export interface StockLookup {
  available(productId: string): Promise<number>;
}

export interface CartDeps {
  carts: CartRepository;
  promotions: PromotionRepository;
  products: ProductLookup;
  stock: StockLookup;
  clock: Clock;
}
