import { sagaHandler } from '../../../shared/saga';
import { confirmOrder } from '../../domain/saga-steps';
import { cartGateway, clock, confirmingOrderRepository } from '../../deps';
import { SagaState } from '../../saga-schemas';

export const handler = sagaHandler(SagaState, (state) =>
  confirmOrder(state, { orders: confirmingOrderRepository(), carts: cartGateway(), clock }),
);
