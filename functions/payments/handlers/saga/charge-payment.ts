import { sagaHandler } from '../../../shared/saga';
import { SagaState } from '../../../orders/saga-schemas';
import { chargeOrder } from '../../domain/payments';
import { livePaymentsDeps } from '../../deps';

const deps = livePaymentsDeps();
export const handler = sagaHandler(SagaState, (state) =>
  chargeOrder({ orderId: state.orderId, amount: state.amount, currency: state.currency, paymentToken: state.paymentToken }, deps),
);
