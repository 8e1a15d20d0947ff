import { businessMetrics } from '../../../shared/observability';
import { sagaHandler } from '../../../shared/saga';
import { confirmOrder, type ConfirmDeps } from '../../domain/saga-steps';
import { cartGateway, clock, orderRepository, paymentsGateway, warn } from '../../deps';
import { ConfirmStep } from '../../saga-schemas';

export const makeHandler = (deps: ConfirmDeps) =>
  sagaHandler(ConfirmStep, (state) => {
    const { orderId, charge, userId, createdAt, lines, total, currency } = state;
    // Claims only when the input makes all of them (a saga started before they existed makes none).
    const claims =
      userId && createdAt && lines && total !== undefined && currency
        ? { orderId, userId, createdAt, lines, total, currency }
        : undefined;
    return confirmOrder({ orderId, charge, claims }, deps);
  });

export const handler = makeHandler({
  orders: orderRepository(),
  payments: paymentsGateway(),
  carts: cartGateway(),
  clock,
  warn,
  metrics: businessMetrics,
});
