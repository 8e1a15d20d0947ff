import { sagaHandler } from '../../../shared/saga';
import { confirmOrder, type ConfirmDeps } from '../../domain/saga-steps';
import { cartGateway, clock, orderRepository, paymentsGateway, stockGateway, warn } from '../../deps';
import { OrderStep } from '../../saga-schemas';

export const makeHandler = (deps: ConfirmDeps) => sagaHandler(OrderStep, (state) => confirmOrder(state.orderId, deps));

export const handler = makeHandler({ orders: orderRepository(), stock: stockGateway(), payments: paymentsGateway(), carts: cartGateway(), clock, warn });
