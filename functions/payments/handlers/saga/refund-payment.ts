import { sagaHandler } from '../../../shared/saga';
import { OrderStep } from '../../../orders/saga-schemas';
import { refundOrder } from '../../domain/payments';
import { livePaymentsDeps } from '../../deps';
import type { PaymentsDeps } from '../../ports';

export const makeHandler = (deps: PaymentsDeps) => sagaHandler(OrderStep, (state) => refundOrder(state.orderId, deps));

export const handler = makeHandler(livePaymentsDeps());
