import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { productRepository } from '../catalog/deps';
import { DynamoStockRepository } from '../inventory/adapters/dynamo-stock';
import { DynamoCartRepository } from './adapters/dynamo-carts';
import { DynamoPromotionRepository } from './adapters/dynamo-promotions';
import type { CartDeps } from './ports';

export const cartRepository = () =>
  new DynamoCartRepository(dynamoDocumentClient(), parseEnv(z.object({ CARTS_TABLE: z.string() })).CARTS_TABLE);
export const promotionRepository = () =>
  new DynamoPromotionRepository(
    dynamoDocumentClient(),
    parseEnv(z.object({ PROMOTIONS_TABLE: z.string() })).PROMOTIONS_TABLE,
    logger,
  );

export function liveCartDeps(): CartDeps {
  const stock = new DynamoStockRepository(
    dynamoDocumentClient(),
    parseEnv(z.object({ INVENTORY_TABLE: z.string() })).INVENTORY_TABLE,
  );
  return {
    carts: cartRepository(),
    promotions: promotionRepository(),
    products: productRepository(),
    stock: { available: async (productId) => (await stock.get(productId))?.available ?? 0 },
    clock: systemClock,
  };
}
