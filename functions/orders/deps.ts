import { randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { dynamoDocumentClient, systemClock } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { cartRepository, promotionRepository } from '../cart/deps';
import { priceLines, removeOrderedLines } from '../cart/domain/cart';
import { productRepository } from '../catalog/deps';
import { DynamoOrderRepository } from './adapters/dynamo-orders';
import { StepFunctionsSagaStarter } from './adapters/sfn-saga';
import type { CartGateway, OrderPricer } from './ports';

export const orderRepository = () => new DynamoOrderRepository(dynamoDocumentClient(), parseEnv(z.object({ ORDERS_TABLE: z.string() })).ORDERS_TABLE);

/** Confirmation commits the inventory reservation in the order's transaction, so it needs those tables too. */
export const confirmingOrderRepository = () => {
  const env = parseEnv(z.object({ ORDERS_TABLE: z.string(), INVENTORY_TABLE: z.string(), RESERVATIONS_TABLE: z.string() }));
  return new DynamoOrderRepository(dynamoDocumentClient(), env.ORDERS_TABLE, { inventory: env.INVENTORY_TABLE, reservations: env.RESERVATIONS_TABLE });
};

/** The cart context's API as the orders context uses it. */
export const cartGateway = (): CartGateway => {
  const carts = cartRepository();
  return {
    contents: async (ownerId) => {
      const cart = await carts.get(ownerId);
      return cart && cart.ttl > Date.now() / 1000 ? { lines: cart.lines, promoCode: cart.promoCode } : undefined;
    },
    removeLines: (ownerId, productIds) => removeOrderedLines(ownerId, productIds, { carts, clock: systemClock }),
  };
};

export const catalogPricer = (): OrderPricer => {
  const deps = { products: productRepository(), promotions: promotionRepository(), clock: systemClock };
  return {
    price: async (lines, options) => {
      const { promoRejection: _rejected, ...priced } = await priceLines(lines, options, deps);
      return priced;
    },
  };
};

export const sagaStarter = () =>
  new StepFunctionsSagaStarter(new SFNClient({}), parseEnv(z.object({ ORDER_SAGA_ARN: z.string() })).ORDER_SAGA_ARN);

export const newOrderId = () => randomUUID();
export const clock = systemClock;
