import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { DynamoOrderRepository } from '../orders/adapters/dynamo-orders';
import { DynamoArchivedOrders } from '../orders/archive/archived-orders';
import { DynamoPaymentsLedger } from './adapters/dynamo-ledger';
import { TestPaymentGateway } from './adapters/test-gateway';
import type { OrderView, PaymentsDeps } from './ports';

/**
 * The charge step gives up on an attempt after 15 s (its state's TimeoutSeconds); an attempt older than a
 * minute has reached the gateway or never will.
 */
export const ATTEMPT_SETTLED_AFTER_MS = 60_000;

/**
 * The orders context's API as payments uses it: an order's status and total, read-only. Given the archive index
 * (reconciliation is), `all()` holds archived orders too, as their index items have them: their charges and
 * refunds are still in the ledger and at the gateway.
 */
export const orderView = (ordersTable: string, archiveIndexTable?: string): OrderView => {
  const db = dynamoDocumentClient();
  const live = new DynamoOrderRepository(db, ordersTable);
  const archive = archiveIndexTable ? new DynamoArchivedOrders(db, archiveIndexTable) : undefined;
  const withArchived = archive ? new DynamoOrderRepository(db, ordersTable, {}, archive) : live;
  // One order (settlement, refunds) is a live one: an archived order is a year old, its payment long settled.
  return { get: async (orderId) => live.get(orderId), all: () => withArchived.all() };
};

export function livePaymentsDeps(): PaymentsDeps {
  const { PAYMENTS_TABLE, ORDERS_TABLE, ORDER_ARCHIVE_INDEX_TABLE } = parseEnv(
    z.object({
      PAYMENTS_TABLE: z.string(),
      ORDERS_TABLE: z.string(),
      ORDER_ARCHIVE_INDEX_TABLE: z.optional(z.string()),
    }),
  );
  return {
    ledger: new DynamoPaymentsLedger(dynamoDocumentClient(), PAYMENTS_TABLE, ORDERS_TABLE),
    gateway: new TestPaymentGateway(dynamoDocumentClient(), PAYMENTS_TABLE, systemClock),
    orders: orderView(ORDERS_TABLE, ORDER_ARCHIVE_INDEX_TABLE),
    clock: systemClock,
    attemptSettledAfterMs: ATTEMPT_SETTLED_AFTER_MS,
  };
}
