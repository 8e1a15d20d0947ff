import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { DynamoStockRepository } from './adapters/dynamo-stock';
import type { InventoryDeps } from './ports';

export function liveInventoryDeps(): InventoryDeps {
  const env = parseEnv(z.object({ INVENTORY_TABLE: z.string() }));
  return { stock: new DynamoStockRepository(dynamoDocumentClient(), env.INVENTORY_TABLE) };
}
