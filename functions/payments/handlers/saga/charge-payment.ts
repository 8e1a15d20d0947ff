import type { BusinessMetrics } from '../../../shared/metrics';
import { businessMetrics } from '../../../shared/observability';
import { sagaHandler } from '../../../shared/saga';
import { SagaError } from '../../../shared/saga-error';
import { ChargeStep } from '../../../orders/saga-schemas';
import { chargeOrder } from '../../domain/payments';
import { livePaymentsDeps } from '../../deps';
import type { PaymentsDeps } from '../../ports';

/**
 * The amount is the stored order's total: nothing in the saga's input can change what is charged. A decline is
 * counted as it leaves the step: the state machine catches it without a retry, so each decline passes here once.
 */
export const makeHandler = (deps: PaymentsDeps, metrics: BusinessMetrics = businessMetrics) =>
  sagaHandler(ChargeStep, async (state) => {
    try {
      const { orderId, paymentToken, total, currency } = state;
      return await chargeOrder({ orderId, paymentToken, total, currency }, deps);
    } catch (error) {
      if (error instanceof SagaError && error.name === 'PaymentDeclinedError') metrics.record('paymentDeclines', 1);
      throw error;
    }
  });

export const handler = makeHandler(livePaymentsDeps());
