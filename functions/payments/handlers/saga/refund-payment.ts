import { sagaHandler } from '../../../shared/saga';
import { SagaState } from '../../../orders/saga-schemas';
import { refundOrder } from '../../domain/payments';
import { livePaymentsDeps } from '../../deps';

const deps = livePaymentsDeps();
export const handler = sagaHandler(SagaState, (state) => refundOrder(state.orderId, deps));
