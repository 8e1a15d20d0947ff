import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { DynamoStockRepository } from '../inventory/adapters/dynamo-stock';
import { DynamoProductRepository } from './adapters/dynamo-products';
import type { CatalogDeps } from './ports';

/** Reads and updates products: needs only the products table. */
export const productRepository = () => {
  const env = parseEnv(z.object({ PRODUCTS_TABLE: z.string() }));
  return new DynamoProductRepository(dynamoDocumentClient(), env.PRODUCTS_TABLE);
};

/** Creates products too, claiming each SKU in the SKU table. */
export const productWriter = () => {
  const env = parseEnv(z.object({ PRODUCTS_TABLE: z.string(), PRODUCT_SKUS_TABLE: z.string() }));
  return new DynamoProductRepository(dynamoDocumentClient(), env.PRODUCTS_TABLE, env.PRODUCT_SKUS_TABLE);
};

export const newProductId = () => `p${randomBytes(8).toString('hex')}`;

export function liveCatalogDeps(): CatalogDeps {
  const env = parseEnv(z.object({ INVENTORY_TABLE: z.string() }));
  return {
    products: productWriter(),
    stock: new DynamoStockRepository(dynamoDocumentClient(), env.INVENTORY_TABLE),
    clock: systemClock,
    newId: newProductId,
  };
}
