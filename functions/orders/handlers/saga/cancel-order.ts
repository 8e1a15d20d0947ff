import { businessMetrics } from '../../../shared/observability';
import { sagaHandler } from '../../../shared/saga';
import { cancelOrder, type CancelDeps } from '../../domain/saga-steps';
import { clock, orderRepository, paymentsGateway } from '../../deps';
import { CancelStep } from '../../saga-schemas';

export const makeHandler = (deps: Omit<CancelDeps, 'clock'> & Partial<Pick<CancelDeps, 'clock'>>) =>
  sagaHandler(CancelStep, (state) => cancelOrder(state, { clock, ...deps }));

export const handler = makeHandler({
  orders: orderRepository(),
  payments: paymentsGateway(),
  metrics: businessMetrics,
});
