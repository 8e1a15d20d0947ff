import { sagaHandler } from '../../../shared/saga';
import { cancelOrder } from '../../domain/saga-steps';
import { clock, orderRepository, paymentsGateway } from '../../deps';
import type { OrderRepository, PaymentsGateway } from '../../ports';
import { CancelStep } from '../../saga-schemas';

export const makeHandler = (deps: { orders: OrderRepository; payments: Pick<PaymentsGateway, 'statusOf'> }) =>
  sagaHandler(CancelStep, (state) => cancelOrder(state, { ...deps, clock }));

export const handler = makeHandler({ orders: orderRepository(), payments: paymentsGateway() });
