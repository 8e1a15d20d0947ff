import { SagaError } from '../../shared/saga';
import type { PaymentsDeps } from '../ports';

/**
 * Charges an order once. The gateway call is idempotent by key (a redelivery gets the first call's
 * answer, never a second charge) and the ledger keeps one CHARGE per order (a redelivery finds it), so
 * no read is needed first, and a crash between the two is repaired by the retry.
 */
export async function chargeOrder(
  request: { orderId: string; amount: number; currency: string; paymentToken: string },
  deps: PaymentsDeps,
): Promise<{ chargeId: string }> {
  const idempotencyKey = `charge:${request.orderId}`;
  const result = await deps.gateway.charge({ token: request.paymentToken, amount: request.amount, currency: request.currency, idempotencyKey });
  if (result.outcome === 'declined') throw new SagaError('PaymentDeclinedError', result.reason);
  const entry = await deps.ledger.record({
    orderId: request.orderId,
    kind: 'CHARGE',
    reference: result.chargeId,
    amount: request.amount,
    currency: request.currency,
    idempotencyKey,
    at: deps.clock.now().toISOString(),
  });
  return { chargeId: entry.reference };
}

/** Refunds an order's charge in full, once. Nothing charged → nothing to refund. */
export async function refundOrder(orderId: string, deps: PaymentsDeps): Promise<{ refunded: boolean; refundId?: string }> {
  const entries = await deps.ledger.entries(orderId);
  const refund = entries.find((e) => e.kind === 'REFUND');
  if (refund) return { refunded: true, refundId: refund.reference };
  const charge = entries.find((e) => e.kind === 'CHARGE');
  if (!charge) return { refunded: false };
  const idempotencyKey = `refund:${orderId}`;
  const { refundId } = await deps.gateway.refund({ chargeId: charge.reference, amount: charge.amount, currency: charge.currency, idempotencyKey });
  const entry = await deps.ledger.record({
    orderId,
    kind: 'REFUND',
    reference: refundId,
    amount: charge.amount,
    currency: charge.currency,
    idempotencyKey,
    at: deps.clock.now().toISOString(),
  });
  return { refunded: true, refundId: entry.reference };
}
