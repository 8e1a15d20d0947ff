import { sagaHandler } from '../../../shared/saga';
import { ChargeStep } from '../../../orders/saga-schemas';
import { chargeOrder } from '../../domain/payments';
import { livePaymentsDeps } from '../../deps';
import type { PaymentsDeps } from '../../ports';

/** The amount is the stored order's total: nothing in the saga's input can change what is charged. */
export const makeHandler = (deps: PaymentsDeps) =>
  sagaHandler(ChargeStep, (state) => chargeOrder({ orderId: state.orderId, paymentToken: state.paymentToken }, deps));

export const handler = makeHandler(livePaymentsDeps());
