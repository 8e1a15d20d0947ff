import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { parseEnv } from '../shared/env';
import { DynamoOrderRepository } from '../orders/adapters/dynamo-orders';
import { DynamoStockRepository } from './adapters/dynamo-stock';
import { DynamoReservationStore } from './adapters/dynamo-reservations';
import { DEFAULT_RESERVATION_TTL_SECONDS } from './domain/reservations';
import type { InventoryDeps, OrderLinesView } from './ports';

export function liveInventoryDeps(): InventoryDeps {
  const env = parseEnv(z.object({ INVENTORY_TABLE: z.string() }));
  return { stock: new DynamoStockRepository(dynamoDocumentClient(), env.INVENTORY_TABLE) };
}

export const reservationStore = () => {
  const env = parseEnv(
    z.object({ INVENTORY_TABLE: z.string(), RESERVATIONS_TABLE: z.string(), ORDERS_TABLE: z.optional(z.string()) }),
  );
  return new DynamoReservationStore(dynamoDocumentClient(), {
    inventory: env.INVENTORY_TABLE,
    reservations: env.RESERVATIONS_TABLE,
    orders: env.ORDERS_TABLE,
  });
};

/** The orders context's API as inventory uses it: an order's status and lines, read-only. */
export const orderLinesView = (): OrderLinesView => {
  const orders = new DynamoOrderRepository(
    dynamoDocumentClient(),
    parseEnv(z.object({ ORDERS_TABLE: z.string() })).ORDERS_TABLE,
  );
  return { get: (orderId) => orders.get(orderId) };
};

export const reservationTtlSeconds = () =>
  parseEnv(
    z.object({
      RESERVATION_TTL_SECONDS: z._default(
        z.coerce.number().check(z.refine(Number.isInteger, 'Must be whole seconds'), z.minimum(5), z.maximum(86_400)),
        DEFAULT_RESERVATION_TTL_SECONDS,
      ),
    }),
  ).RESERVATION_TTL_SECONDS;
