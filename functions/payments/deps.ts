import * as z from 'zod/mini';
import { dynamoDocumentClient, systemClock } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { DynamoOrderRepository } from '../orders/adapters/dynamo-orders';
import { DynamoPaymentsLedger } from './adapters/dynamo-ledger';
import { TestPaymentGateway } from './adapters/test-gateway';
import type { OrderView, PaymentsDeps } from './ports';

/**
 * The charge step gives up on an attempt after 15 s (its state's TimeoutSeconds); an attempt older than a
 * minute has reached the gateway or never will.
 */
export const ATTEMPT_SETTLED_AFTER_MS = 60_000;

/** The orders context's API as payments uses it: an order's status and total, read-only. */
export const orderView = (ordersTable: string): OrderView => {
  const orders = new DynamoOrderRepository(dynamoDocumentClient(), ordersTable);
  return { get: async (orderId) => orders.get(orderId), all: () => orders.all() };
};

export function livePaymentsDeps(): PaymentsDeps {
  const { PAYMENTS_TABLE, ORDERS_TABLE } = parseEnv(z.object({ PAYMENTS_TABLE: z.string(), ORDERS_TABLE: z.string() }));
  return {
    ledger: new DynamoPaymentsLedger(dynamoDocumentClient(), PAYMENTS_TABLE, ORDERS_TABLE),
    gateway: new TestPaymentGateway(dynamoDocumentClient(), PAYMENTS_TABLE, systemClock),
    orders: orderView(ORDERS_TABLE),
    clock: systemClock,
    attemptSettledAfterMs: ATTEMPT_SETTLED_AFTER_MS,
  };
}
