import { makeIdempotent, IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import * as z from 'zod/mini';
import { requireUser, type Caller } from '../../shared/auth';
import { dynamoClient } from '../../shared/dynamo-client';
import { parseEnv } from '../../shared/env';
import { DomainError } from '../../shared/errors';
import { header, httpHandler, json, parse } from '../../shared/http';
import type { BusinessMetrics } from '../../shared/metrics';
import { businessMetrics, logger } from '../../shared/observability';
import { annotate } from '../../shared/tracing';
import { isTestRequest } from '../../shared/test-data';
import { placeOrder } from '../domain/orders';
import { cartGateway, catalogPricer, clock, orderRepository, stepFunctionsSaga } from '../deps';
import type { OrdersDeps } from '../ports';
import { IdempotencyKeyHeader, PlaceOrder, type OrderAccepted } from '../schemas';

interface PlaceOrderRequest {
  /** The caller and their key together: two shoppers may happen to pick the same key. */
  idempotencyKey: string;
  /** The key as the client sent it: the order's id derives from it. */
  key: string;
  caller: Caller;
  order: PlaceOrder;
  /** A replayed fixture's request (functions/shared/test-data.ts): its order is marked as test data. */
  testData: boolean;
}

/**
 * POST /v1/orders, made idempotent by Powertools: the same key returns the same order, a key reused
 * with a different body is refused (409), and a retry while the first is still running waits its turn (409).
 * Beneath that, the order's id derives from the shopper and the key, so a retry after a crash that left
 * the request's record behind (or after the record expired) still finds the one order.
 */
export const makeHandler = (
  deps: OrdersDeps,
  persistenceStore: DynamoDBPersistenceLayer,
  metrics: BusinessMetrics = businessMetrics,
) => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'idempotencyKey',
    payloadValidationJmesPath: 'order',
    expiresAfterSeconds: 24 * 60 * 60,
  });
  const placeOnce = makeIdempotent(
    async (request: PlaceOrderRequest): Promise<OrderAccepted> => {
      const accepted = await placeOrder(request.caller, request.order, request.key, deps, {
        testData: request.testData,
      });
      // Here, not after placeOnce: a replay of the same key answers from the idempotency record and places nothing.
      metrics.record('ordersPlaced', 1);
      return accepted;
    },
    { persistenceStore, config },
  );
  return httpHandler(
    async (event, context) => {
      const caller = requireUser(event);
      const key = header(event, 'idempotency-key', IdempotencyKeyHeader);
      const order = parse(PlaceOrder, event.body);
      config.registerLambdaContext(context);
      try {
        const accepted = await placeOnce({
          idempotencyKey: `${caller.userId}:${key.toLowerCase()}`,
          key,
          caller,
          order,
          testData: isTestRequest(event),
        });
        logger.appendKeys({ orderId: accepted.orderId });
        annotate('orderId', accepted.orderId);
        logger.info('order accepted', { status: accepted.status });
        return json(202, accepted, { location: `/v1/orders/${accepted.orderId}` });
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'IdempotencyValidationError')
          throw new DomainError('CONFLICT', 'This Idempotency-Key was used with a different request');
        if (name === 'IdempotencyAlreadyInProgressError')
          throw new DomainError(
            'CONFLICT',
            'A request with this Idempotency-Key is still being processed; retry shortly',
          );
        throw (e as { cause?: unknown }).cause instanceof DomainError ? (e as { cause: DomainError }).cause : e;
      }
    },
    { body: true },
  );
};

const env = parseEnv(z.object({ IDEMPOTENCY_TABLE: z.string() }));
export const handler = makeHandler(
  { orders: orderRepository(), saga: stepFunctionsSaga(), carts: cartGateway(), pricer: catalogPricer(), clock },
  new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient() }),
);
