import { businessMetrics } from '../../../shared/observability';
import { sagaHandler } from '../../../shared/saga';
import { confirmOrder, type ConfirmDeps } from '../../domain/saga-steps';
import { cartGateway, clock, orderRepository, paymentsGateway, warn } from '../../deps';
import { ConfirmStep } from '../../saga-schemas';

export const makeHandler = (deps: ConfirmDeps) => sagaHandler(ConfirmStep, (state) => confirmOrder(state, deps));

export const handler = makeHandler({
  orders: orderRepository(),
  payments: paymentsGateway(),
  carts: cartGateway(),
  clock,
  warn,
  metrics: businessMetrics,
});
