import { sagaHandler } from '../../../shared/saga';
import { cancelOrder } from '../../domain/saga-steps';
import { clock, orderRepository } from '../../deps';
import { SagaState } from '../../saga-schemas';

export const handler = sagaHandler(SagaState, (state) => cancelOrder(state, { orders: orderRepository(), clock }));
