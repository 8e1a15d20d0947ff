import { toItem } from '../../../functions/catalog/adapters/dynamo-products';
import type { Product } from '../../../functions/catalog/schemas';
import { TEST_DATA_ATTRIBUTE } from '../../../functions/shared/test-data';

/**
 * The product the smoke test buys in staging (and Dev): seeded by lib/stacks/smoke-test-product.ts into those
 * stages only, never Prod, with stock for a million runs so that no run finds it sold out. It carries the
 * test-data mark (functions/shared/test-data.ts), so the analysts' product figures never count it.
 */
export const SMOKE_TEST_PRODUCT: Product = {
  id: 'smoke-test-product',
  sku: 'SMOKE-TEST-PRODUCT',
  name: 'Smoke test product (not for sale)',
  description: 'Bought by the post-deploy smoke test of the delivery pipeline; exists in non-production stages only.',
  category: 'stationery',
  brand: 'ECIComm',
  price: 100,
  currency: 'GBP',
  imageUrls: [],
  attributes: {},
  popularity: 0,
  status: 'ACTIVE',
  version: 1,
  // Fixed, so that synthesis is deterministic and a redeploy leaves the item as it is.
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
};

/** Units in stock whenever the stage is deployed: one per smoke test run. */
export const SMOKE_TEST_PRODUCT_STOCK = 1_000_000;

/**
 * The items that make the product exist, by table, in the shapes the catalog and inventory adapters write:
 * the product (with its listing keys), its SKU claim and its stock. The stack seeds these in AWS; the
 * integration test seeds the same into the local platform.
 */
export const smokeTestProductItems = () => ({
  products: { ...toItem(SMOKE_TEST_PRODUCT), [TEST_DATA_ATTRIBUTE]: true },
  productSkus: { sku: SMOKE_TEST_PRODUCT.sku, productId: SMOKE_TEST_PRODUCT.id },
  inventory: {
    productId: SMOKE_TEST_PRODUCT.id,
    available: SMOKE_TEST_PRODUCT_STOCK,
    reserved: 0,
    [TEST_DATA_ATTRIBUTE]: true,
  },
});
