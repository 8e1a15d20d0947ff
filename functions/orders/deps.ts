import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoArchivedOrders } from './archive/archived-orders';
import { archiveReaderOnFirstRead } from './archive/archive-reader';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { traced } from '../shared/tracing';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { cartRepository, promotionRepository } from '../cart/deps';
import { priceLines, removeOrderedLines, removePromoCode } from '../cart/domain/cart';
import { productRepository } from '../catalog/deps';
import { reservationStore } from '../inventory/deps';
import { releaseStock } from '../inventory/domain/reservations';
import { livePaymentsDeps } from '../payments/deps';
import { paymentStatusOf, refundOrder, settlePayment } from '../payments/domain/payments';
import { DynamoOrderRepository, type RelatedTables } from './adapters/dynamo-orders';
import { StepFunctionsSaga } from './adapters/sfn-saga';
import type { CartGateway, OrderPricer, PaymentsGateway, StockGateway } from './ports';

const optionalTable = z.optional(z.string());

/** The other contexts' tables this function was given (lib/routes.ts, lib/saga.ts): its transactions touch those. */
const relatedTables = (): Partial<RelatedTables> => {
  const env = parseEnv(
    z.object({
      INVENTORY_TABLE: optionalTable,
      RESERVATIONS_TABLE: optionalTable,
      PAYMENTS_TABLE: optionalTable,
      PROMOTIONS_TABLE: optionalTable,
    }),
  );
  return {
    inventory: env.INVENTORY_TABLE,
    reservations: env.RESERVATIONS_TABLE,
    payments: env.PAYMENTS_TABLE,
    promotions: env.PROMOTIONS_TABLE,
  };
};

export const orderRepository = () =>
  new DynamoOrderRepository(
    dynamoDocumentClient(),
    parseEnv(z.object({ ORDERS_TABLE: z.string() })).ORDERS_TABLE,
    relatedTables(),
  );

/**
 * The orders as the read routes answer them: those archived found through the archive index and read back from
 * the archive bucket.
 */
export const readableOrderRepository = () => {
  const env = parseEnv(
    z.object({ ORDERS_TABLE: z.string(), ORDER_ARCHIVE_INDEX_TABLE: z.string(), ORDER_ARCHIVE_BUCKET: z.string() }),
  );
  const store = archiveReaderOnFirstRead(env.ORDER_ARCHIVE_BUCKET);
  const archive = new DynamoArchivedOrders(dynamoDocumentClient(), env.ORDER_ARCHIVE_INDEX_TABLE, store);
  return new DynamoOrderRepository(dynamoDocumentClient(), env.ORDERS_TABLE, {}, archive);
};

/** The cart context's API as the orders context uses it. */
export const cartGateway = (): CartGateway => {
  const carts = cartRepository();
  const deps = { carts, clock: systemClock };
  return {
    contents: async (ownerId) => {
      const cart = await carts.get(ownerId);
      return cart && cart.ttl > Date.now() / 1000 ? { lines: cart.lines, promoCode: cart.promoCode } : undefined;
    },
    removeLines: (ownerId, productIds) => removeOrderedLines(ownerId, productIds, deps),
    removePromo: (ownerId, code) => removePromoCode(ownerId, code, deps),
  };
};

export const catalogPricer = (): OrderPricer => {
  const deps = { products: productRepository(), promotions: promotionRepository(), clock: systemClock };
  return {
    price: async (lines, { skipUnavailable, ...options }) => {
      const { promoRejection: _rejected, ...priced } = await priceLines(lines, options, deps, { skipUnavailable });
      return priced;
    },
  };
};

/** The payments context's API as the orders context uses it. */
export const paymentsGateway = (): PaymentsGateway => {
  const deps = livePaymentsDeps();
  return {
    chargeOf: async (orderId) => {
      const charge = (await deps.ledger.entries(orderId)).find((e) => e.kind === 'CHARGE');
      return charge && { chargeId: charge.reference, amount: charge.amount, currency: charge.currency };
    },
    statusOf: (orderId) => paymentStatusOf(orderId, deps),
    settle: (orderId) => settlePayment(orderId, deps),
    refund: async (orderId) => {
      const outcome = await refundOrder(orderId, deps);
      return outcome.refunded
        ? 'refunded'
        : outcome.reason === 'ORDER_CONFIRMED'
          ? 'order-confirmed'
          : 'nothing-charged';
    },
    unsettled: async (before, limit) => (await deps.ledger.openIntents(before, limit)).map((i) => i.orderId),
  };
};

/** The inventory context's API as the orders context uses it. */
export const stockGateway = (): StockGateway => {
  const reservations = reservationStore();
  return {
    release: async (orderId) => void (await releaseStock(orderId, { reservations, clock: systemClock })),
    expired: async (before, limit) => (await reservations.listExpired(before, limit)).map((r) => r.orderId),
  };
};

export const stepFunctionsSaga = () =>
  new StepFunctionsSaga(traced(new SFNClient({})), parseEnv(z.object({ ORDER_SAGA_ARN: z.string() })).ORDER_SAGA_ARN);

/** PENDING orders and open payments younger than this are left to their saga (SETTLEMENT_GRACE_SECONDS overrides). */
export const settlementGraceSeconds = () =>
  parseEnv(
    z.object({ SETTLEMENT_GRACE_SECONDS: z._default(z.coerce.number().check(z.minimum(0), z.maximum(86_400)), 120) }),
  ).SETTLEMENT_GRACE_SECONDS;

export const warn = (message: string, details: Record<string, unknown>) => logger.warn(message, details);
export const clock = systemClock;
