import { requireUser } from '../../shared/auth';
import { header, httpHandler, json, parse } from '../../shared/http';
import type { BusinessMetrics } from '../../shared/metrics';
import { businessMetrics, logger } from '../../shared/observability';
import { annotate } from '../../shared/tracing';
import { isTestRequest } from '../../shared/test-data';
import { placeOrder } from '../domain/orders';
import { cartGateway, catalogPricer, clock, orderRepository, stepFunctionsSaga } from '../deps';
import type { OrdersDeps } from '../ports';
import { IdempotencyKeyHeader, PlaceOrder } from '../schemas';

/**
 * POST /v1/orders. The order's id derives from the shopper and the Idempotency-Key, and it is written only if
 * absent with the digest of the request's body beside it (functions/orders/domain/orders.ts): the same key
 * answers the same order (also while the first request is still running, and after any crash), and the same key
 * with a different body is refused (409) — in the order's own write, with no idempotency record to put and
 * complete around it (two DynamoDB requests and their wait on every order).
 */
export const makeHandler = (deps: OrdersDeps, metrics: BusinessMetrics = businessMetrics) =>
  httpHandler(
    async (event) => {
      const caller = requireUser(event);
      const key = header(event, 'idempotency-key', IdempotencyKeyHeader);
      const order = parse(PlaceOrder, event.body);
      const accepted = await placeOrder(caller, order, key, deps, {
        testData: isTestRequest(event),
        // Counted once, by the request whose write placed the order: a repeat of the key places nothing.
        onPlaced: () => metrics.record('ordersPlaced', 1),
      });
      logger.appendKeys({ orderId: accepted.orderId });
      annotate('orderId', accepted.orderId);
      logger.info('order accepted', { status: accepted.status });
      return json(202, accepted, { location: `/v1/orders/${accepted.orderId}` });
    },
    { body: true },
  );

export const handler = makeHandler({
  orders: orderRepository(),
  saga: stepFunctionsSaga(),
  carts: cartGateway(),
  pricer: catalogPricer(),
  clock,
});
