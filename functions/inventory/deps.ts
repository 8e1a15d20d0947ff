import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { DynamoStockRepository } from './adapters/dynamo-stock';
import { DynamoReservationStore } from './adapters/dynamo-reservations';
import type { InventoryDeps } from './ports';

export function liveInventoryDeps(): InventoryDeps {
  const env = parseEnv(z.object({ INVENTORY_TABLE: z.string() }));
  return { stock: new DynamoStockRepository(dynamoDocumentClient(), env.INVENTORY_TABLE) };
}

export const reservationStore = () => {
  const env = parseEnv(z.object({ INVENTORY_TABLE: z.string(), RESERVATIONS_TABLE: z.string() }));
  return new DynamoReservationStore(dynamoDocumentClient(), { inventory: env.INVENTORY_TABLE, reservations: env.RESERVATIONS_TABLE });
};
