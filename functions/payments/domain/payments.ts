import { SagaError } from '../../shared/saga-error';
import type { ChargeIntent, LedgerEntry, PaymentsDeps } from '../ports';

export const chargeKey = (orderId: string) => `charge:${orderId}`;
export const refundKey = (orderId: string) => `refund:${orderId}`;

/** The charge intent for the order as read (or, for one no longer PENDING, the charge it already had). */
async function intentOfStoredOrder(
  orderId: string,
  deps: PaymentsDeps,
): Promise<Pick<ChargeIntent, 'amount' | 'currency' | 'idempotencyKey'> | { chargeId: string }> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new SagaError('OrderNotFoundError', `Order ${orderId} does not exist`);
  if (order.status !== 'PENDING') {
    // A late redelivery: the charge made before stands; an order that ended uncharged is not charged now.
    const recorded = (await deps.ledger.entries(orderId)).find((e) => e.kind === 'CHARGE');
    if (recorded) return { chargeId: recorded.reference };
    throw new SagaError('OrderNotPendingError', `Order ${orderId} is ${order.status}, not PENDING`);
  }
  const intent = await deps.ledger.intendCharge({
    orderId,
    amount: order.total,
    currency: order.currency,
    idempotencyKey: chargeKey(orderId),
    at: deps.clock.now().toISOString(),
  });
  if (intent.amount !== order.total || intent.currency !== order.currency) {
    throw new SagaError(
      'PaymentMismatchError',
      `Order ${orderId} totals ${order.total} ${order.currency} but its charge intent says ${intent.amount} ${intent.currency}`,
    );
  }
  return intent;
}

/**
 * Charges an order its stored total, once. The intent goes into the ledger before the gateway is called,
 * with the idempotency key the gateway dedupes on, so a crash anywhere after leaves a record saying where
 * to look: a redelivery gets the gateway's first answer, and settlement finds the charge the ledger missed.
 * The amount is the stored order's, never the saga input's alone (a claimed total is charged only once the intent's
 * transaction has checked it against the order); an order that is no longer PENDING is not charged.
 */
export async function chargeOrder(
  request: { orderId: string; paymentToken: string; total?: number; currency?: string },
  deps: PaymentsDeps,
): Promise<{ chargeId: string }> {
  const { orderId } = request;
  // The input's total and currency, when it claims them, are charged only if the stored order (PENDING) has them:
  // the intent's write checks that in one transaction, with no read of the order. Else, or when the check fails —
  // a redelivery, a forged input, an older saga — the amount comes from the order as read.
  const claimed =
    request.total !== undefined && request.currency !== undefined
      ? await deps.ledger.intendChargeOfPendingOrder({
          orderId,
          amount: request.total,
          currency: request.currency,
          idempotencyKey: chargeKey(orderId),
          at: deps.clock.now().toISOString(),
        })
      : undefined;
  const intent = claimed ?? (await intentOfStoredOrder(orderId, deps));
  if ('chargeId' in intent) return intent;
  const result = await deps.gateway.charge({
    token: request.paymentToken,
    amount: intent.amount,
    currency: intent.currency,
    idempotencyKey: intent.idempotencyKey,
    reference: orderId,
  });
  if (result.outcome === 'declined') {
    await deps.ledger.closeIntent(orderId, 'DECLINED');
    throw new SagaError('PaymentDeclinedError', result.reason);
  }
  const entry = await deps.ledger.record({
    orderId,
    kind: 'CHARGE',
    reference: result.chargeId,
    amount: intent.amount,
    currency: intent.currency,
    idempotencyKey: intent.idempotencyKey,
    at: deps.clock.now().toISOString(),
  });
  return { chargeId: entry.reference };
}

/**
 * The order's charge as the ledger knows it or, when a crash came between the gateway and the ledger, as
 * the gateway knows it (then written to the ledger). Undefined when nothing was charged.
 */
async function chargeOfOrder(
  orderId: string,
  entries: LedgerEntry[],
  deps: PaymentsDeps,
): Promise<LedgerEntry | undefined> {
  const recorded = entries.find((e) => e.kind === 'CHARGE');
  if (recorded) return recorded;
  const intent = await deps.ledger.chargeIntent(orderId);
  if (!intent) return undefined;
  const atGateway = await deps.gateway.chargeOf(intent.idempotencyKey);
  if (atGateway?.outcome !== 'approved' || !atGateway.chargeId) return undefined;
  return deps.ledger.record({
    orderId,
    kind: 'CHARGE',
    reference: atGateway.chargeId,
    amount: atGateway.amount,
    currency: atGateway.currency,
    idempotencyKey: intent.idempotencyKey,
    at: atGateway.at,
  });
}

export type RefundOutcome =
  | { refunded: true; refundId: string }
  | { refunded: false; reason: 'NOT_CHARGED' | 'CHARGE_IN_FLIGHT' | 'ORDER_CONFIRMED' };

/**
 * Refunds an order's charge in full, once, from the ledger and the gateway's own record. The refund is
 * claimed in the ledger first, in a transaction that fails if the order is CONFIRMED (whose confirmation in
 * turn fails once a refund is claimed): an order ends confirmed or refunded, never both.
 */
export async function refundOrder(orderId: string, deps: PaymentsDeps): Promise<RefundOutcome> {
  const entries = await deps.ledger.entries(orderId);
  const done = entries.find((e) => e.kind === 'REFUND');
  if (done) return { refunded: true, refundId: done.reference };
  const charge = await chargeOfOrder(orderId, entries, deps);
  if (!charge) return closeUncharged(orderId, deps);
  const claim = await deps.ledger.claimRefund({
    orderId,
    amount: charge.amount,
    currency: charge.currency,
    idempotencyKey: refundKey(orderId),
    at: deps.clock.now().toISOString(),
  });
  if (claim === 'order-confirmed') return { refunded: false, reason: 'ORDER_CONFIRMED' };
  const { refundId } = await deps.gateway.refund({
    chargeId: charge.reference,
    amount: charge.amount,
    currency: charge.currency,
    idempotencyKey: refundKey(orderId),
  });
  const entry = await deps.ledger.record({
    orderId,
    kind: 'REFUND',
    reference: refundId,
    amount: charge.amount,
    currency: charge.currency,
    idempotencyKey: refundKey(orderId),
    at: deps.clock.now().toISOString(),
  });
  await deps.ledger.closeIntent(orderId, 'REFUNDED');
  return { refunded: true, refundId: entry.reference };
}

/**
 * Nothing charged, as far as the gateway can tell now. An attempt may still be on its way to the gateway,
 * though: the intent is closed only once its latest attempt is older than an attempt can last.
 */
async function closeUncharged(orderId: string, deps: PaymentsDeps): Promise<RefundOutcome> {
  const intent = await deps.ledger.chargeIntent(orderId);
  if (!intent?.open) return { refunded: false, reason: 'NOT_CHARGED' };
  const attemptAge = deps.clock.now().getTime() - Date.parse(intent.attemptAt);
  if (attemptAge < deps.attemptSettledAfterMs) return { refunded: false, reason: 'CHARGE_IN_FLIGHT' };
  await deps.ledger.closeIntent(orderId, intent.outcome === 'DECLINED' ? 'DECLINED' : 'NOT_CHARGED');
  return { refunded: false, reason: 'NOT_CHARGED' };
}

export type PaymentStatus = { status: 'NONE' | 'CHARGED' | 'REFUNDED' | 'DECLINED'; chargeId?: string };

/** What an order's payment amounts to, from the ledger: what an order shows as `payment`. */
export async function paymentStatusOf(orderId: string, deps: Pick<PaymentsDeps, 'ledger'>): Promise<PaymentStatus> {
  const entries = await deps.ledger.entries(orderId);
  const charge = entries.find((e) => e.kind === 'CHARGE');
  if (entries.some((e) => e.kind === 'REFUND')) return { status: 'REFUNDED', chargeId: charge?.reference };
  if (charge) return { status: 'CHARGED', chargeId: charge.reference };
  const intent = await deps.ledger.chargeIntent(orderId);
  return intent?.outcome === 'DECLINED' ? { status: 'DECLINED' } : { status: 'NONE' };
}

/**
 * Settles the payment of an order that has ended (or of one whose order never existed): a confirmed order
 * keeps its charge, recorded from the gateway if the ledger missed it; anything else is refunded. A PENDING
 * order is left to its saga, or to the orders' settlement once its saga is gone.
 */
export async function settlePayment(orderId: string, deps: PaymentsDeps): Promise<PaymentStatus | 'PENDING'> {
  const order = await deps.orders.get(orderId);
  if (order?.status === 'PENDING') return 'PENDING';
  if (order?.status === 'CONFIRMED') {
    const charge = await chargeOfOrder(orderId, await deps.ledger.entries(orderId), deps);
    if (charge) await deps.ledger.closeIntent(orderId, 'CHARGED');
    return charge ? { status: 'CHARGED', chargeId: charge.reference } : { status: 'NONE' };
  }
  if ((await refundOrder(orderId, deps)).refunded) await deps.ledger.closeIntent(orderId, 'REFUNDED');
  return paymentStatusOf(orderId, deps);
}
