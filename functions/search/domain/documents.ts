/**
 * A product as the catalog stores it → what the index must do about it. Pure.
 *
 * An ACTIVE product is indexed; any other status is deleted, so an inactive product is never in the index at all
 * (not merely filtered out). Every write carries the product's `version` as an external version: OpenSearch
 * refuses a write whose version is not above the one it holds (a delete leaves its version behind as a
 * tombstone), so a duplicate or late delivery of an older image never undoes a newer one, whatever the order.
 */
import * as z from 'zod/mini';

/** The fields the index keeps, as the catalog writes them (functions/catalog/schemas.ts Product). */
export const StoredProduct = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string(),
  description: z.string(),
  category: z.string().check(z.minLength(1)),
  brand: z.string(),
  price: z.int().check(z.nonnegative()),
  currency: z.string(),
  popularity: z.optional(z.number()),
  status: z.string().check(z.minLength(1)),
  version: z.int().check(z.minimum(1)),
  createdAt: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a date-time')),
  updatedAt: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a date-time')),
});
export type StoredProduct = z.infer<typeof StoredProduct>;

export interface ProductDocument {
  id: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  price: number;
  currency: string;
  popularity: number;
  status: 'ACTIVE';
  createdAt: string;
  updatedAt: string;
  version: number;
  suggest: { input: string[] };
}

export type IndexAction =
  | { kind: 'index'; id: string; version: number; document: ProductDocument }
  | { kind: 'delete'; id: string; version: number };

/** A product that cannot be read as one: its record fails, alone. */
export class MalformedProductError extends Error {
  override name = 'MalformedProductError';
}

/** Most inputs a product's completion field gets: its name, then the name from each later word on. */
export const MAX_SUGGEST_INPUTS = 8;

/** The name, then the name from its second word on, its third, … (so a prefix of any word finds it). */
export function suggestInputs(name: string): string[] {
  const words = name.split(/\s+/u).filter(Boolean);
  const inputs = words.map((_, i) => words.slice(i).join(' '));
  return [...new Set(inputs)].slice(0, MAX_SUGGEST_INPUTS);
}

export function parseStoredProduct(item: unknown, where: string): StoredProduct {
  const parsed = StoredProduct.safeParse(item);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MalformedProductError(`${where} is not a product (${issues})`);
  }
  return parsed.data;
}

/** What the index does about a product as stored now: index it when ACTIVE, else delete it. */
export function actionForProduct(product: StoredProduct): IndexAction {
  if (product.status !== 'ACTIVE') return { kind: 'delete', id: product.id, version: product.version };
  return {
    kind: 'index',
    id: product.id,
    version: product.version,
    document: {
      id: product.id,
      name: product.name,
      description: product.description,
      category: product.category,
      brand: product.brand,
      price: product.price,
      currency: product.currency,
      popularity: product.popularity ?? 0,
      status: 'ACTIVE',
      createdAt: new Date(product.createdAt).toISOString(),
      updatedAt: new Date(product.updatedAt).toISOString(),
      version: product.version,
      suggest: { input: suggestInputs(product.name) },
    },
  };
}

/**
 * A product removed from the table: deleted from the index one version past the last one stored, since a delete
 * at the stored version itself would be refused as not newer (external versions must grow).
 */
export function actionForRemoval(last: Pick<StoredProduct, 'id' | 'version'>): IndexAction {
  return { kind: 'delete', id: last.id, version: last.version + 1 };
}
