/**
 * A product's `imageUrls` changed by the image pipeline, as PUT /v1/products changes a product: the version
 * read must still be the stored one (a conditional write), and the version goes up by one. A conflict — an
 * admin's edit, another image of the same product landing at the same moment — re-reads and applies the change
 * again, so concurrent uploads never lose each other.
 */
import { VersionConflictError, type ProductRepository } from '../../ports';
import type { Product } from '../../schemas';

const MAX_ATTEMPTS = 25;

/** Applies `change` to the current product until the write lands; undefined when the product does not exist. */
export async function changeProduct(
  productId: string,
  change: (current: Product) => Product | undefined,
  deps: { products: ProductRepository; clock: { now(): Date } },
): Promise<Product | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.products.get(productId);
    if (!current) return undefined;
    const changed = change(current);
    // Nothing to change (a redelivered event whose URLs are already there): no write, no new version.
    if (!changed) return current;
    const next: Product = { ...changed, version: current.version + 1, updatedAt: deps.clock.now().toISOString() };
    try {
      await deps.products.replace(next, current.version);
      return next;
    } catch (e) {
      if (!(e instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

export const withImageUrls = (urls: readonly string[]) => (product: Product) =>
  urls.every((url) => product.imageUrls.includes(url))
    ? undefined
    : { ...product, imageUrls: [...product.imageUrls, ...urls.filter((url) => !product.imageUrls.includes(url))] };

export const withoutImageUrls = (isRemoved: (url: string) => boolean) => (product: Product) =>
  product.imageUrls.some(isRemoved)
    ? { ...product, imageUrls: product.imageUrls.filter((u) => !isRemoved(u)) }
    : undefined;
