import { SagaError } from '../../shared/saga-error';
import type { Clock } from '../../shared/clock';
import type { BusinessMetrics } from '../../shared/metrics';
import { mergeLines } from '../../inventory/domain/reservations';
import type { CartGateway, ClaimedOrder, OrderRepository, PaymentsGateway } from '../ports';
import type { FailureReason } from '../schemas';
import { cartOwnerOfUser } from './orders';

export interface ConfirmDeps {
  orders: OrderRepository;
  payments: Pick<PaymentsGateway, 'chargeOf'>;
  carts: CartGateway;
  clock: Clock;
  /** Where a confirmed order's trouble after its commit is told (it must not fail the step). */
  warn: (message: string, details: Record<string, unknown>) => void;
  metrics: BusinessMetrics;
}

/** From the order being placed to now, when its saga ends. */
const sagaMillis = (createdAt: string, clock: Clock) => Math.max(0, clock.now().getTime() - Date.parse(createdAt));

const refusals: Partial<Record<string, [string, string]>> = {
  'reservation-not-held': ['ReservationExpiredError', 'has no reservation holding its lines any more'],
  'not-pending': ['OrderNotPendingError', 'is no longer pending'],
  'not-found': ['OrderNotFoundError', 'does not exist'],
  'payment-mismatch': ['PaymentMismatchError', "has no charge of the order's total"],
  'refund-claimed': ['PaymentRefundedError', 'has had its payment refunded'],
};

/**
 * The order becomes CONFIRMED, its reservation committed and its payment settled, atomically — only if the
 * reservation still holds exactly the stored order's lines and the ledger holds the named charge of the
 * order's total — and then the cart lines it bought are removed. Nothing is taken on trust from the saga's
 * input: the charge it names is checked in the transaction, and read from the ledger when it names none. A
 * redelivery finds the order confirmed and only repeats the (idempotent) cart clean-up.
 */
export async function confirmOrder(
  request: {
    orderId: string;
    charge?: { chargeId: string };
    claims?: ClaimedOrder & { lines: { productId: string; quantity: number }[] };
  },
  deps: ConfirmDeps,
) {
  const { orderId, claims } = request;
  // The input's claims about the order, used only on condition the stored order says the same (no read of it):
  // the first delivery, by far the common case, is one transaction. Else the careful way below.
  if (claims && request.charge) {
    const lines = mergeLines(claims.lines);
    const at = deps.clock.now().toISOString();
    if (await deps.orders.confirmAsClaimed(claims, { chargeId: request.charge.chargeId, at, lines })) {
      deps.metrics.record('ordersConfirmed', 1);
      deps.metrics.record('sagaDuration', sagaMillis(claims.createdAt, deps.clock));
      await removeCartLines(
        orderId,
        claims.userId,
        lines.map((l) => l.productId),
        deps,
      );
      return { status: 'CONFIRMED' as const };
    }
  }
  const order = await deps.orders.get(orderId);
  if (!order) throw new SagaError('OrderNotFoundError', `Order ${orderId} does not exist`);
  if (order.status === 'PENDING') {
    const chargeId = request.charge?.chargeId ?? (await deps.payments.chargeOf(orderId))?.chargeId;
    if (!chargeId) throw new SagaError('PaymentMissingError', `Order ${orderId} has no recorded charge`);
    const outcome = await deps.orders.confirm(order, {
      chargeId,
      at: deps.clock.now().toISOString(),
      lines: mergeLines(order.items),
    });
    const refusal = refusals[outcome];
    if (refusal) throw new SagaError(refusal[0], `Order ${orderId} ${refusal[1]}`);
    // Counted once, by the attempt whose transaction confirmed it: a redelivery finds 'already-confirmed'.
    if (outcome === 'confirmed') {
      deps.metrics.record('ordersConfirmed', 1);
      deps.metrics.record('sagaDuration', sagaMillis(order.createdAt, deps.clock));
    }
  } else if (order.status !== 'CONFIRMED') {
    throw new SagaError('OrderNotPendingError', `Order ${orderId} is ${order.status}`);
  }
  await removeCartLines(
    orderId,
    order.userId,
    order.items.map((l) => l.productId),
    deps,
  );
  return { status: 'CONFIRMED' as const };
}

/**
 * Past the commit nothing may fail the step: the state machine would compensate, and a compensation never undoes a
 * confirmed order. A cart that keeps its lines is a nuisance the shopper can fix.
 */
async function removeCartLines(orderId: string, userId: string, productIds: string[], deps: ConfirmDeps) {
  try {
    await deps.carts.removeLines(cartOwnerOfUser(userId), productIds);
  } catch (error) {
    deps.warn('confirmed order left its cart lines', { orderId, error });
  }
}

/**
 * The order becomes CANCELLED with its reason and the payment status its ledger shows. A confirmed order
 * is never cancelled: an execution that gets here for one (a duplicate, or one started with a forged
 * input) is refused, and ends in the dead-letter queue for an operator to look at.
 */
export interface CancelRequest {
  orderId: string;
  failureReason?: FailureReason;
  /** What the compensations that ran before this step answered (the state's ResultPaths), when they ran. */
  release?: { released?: boolean };
  refund?: { refunded?: boolean };
}

export interface CancelDeps {
  orders: OrderRepository;
  payments: Pick<PaymentsGateway, 'statusOf'>;
  clock: Clock;
  metrics: BusinessMetrics;
}

export async function cancelOrder(request: CancelRequest, deps: CancelDeps) {
  const reason = request.failureReason ?? 'INTERNAL';
  const payment = await deps.payments.statusOf(request.orderId);
  const outcome = await deps.orders.cancel(request.orderId, {
    reason,
    payment,
    at: deps.clock.now().toISOString(),
  });
  if (outcome === 'cancelled') await countCancellation(request, reason, deps);
  // No order to cancel (a saga replayed from a fixture, say): the compensation has nothing left to undo.
  if (outcome === 'not-found') return { status: 'NOT_FOUND' as const };
  if (outcome === 'not-pending')
    throw new SagaError('OrderNotPendingError', `Order ${request.orderId} cannot be cancelled now`);
  return { status: 'CANCELLED' as const };
}

/**
 * Counted once, by the attempt that cancelled the order: the cancellation by its reason, how long the saga took,
 * and the compensations before it that undid something (a release or refund that found nothing to undo is not one).
 */
async function countCancellation(request: CancelRequest, reason: FailureReason, deps: CancelDeps) {
  deps.metrics.record('ordersCancelled', 1, reason);
  const compensations = Number(request.release?.released === true) + Number(request.refund?.refunded === true);
  if (compensations > 0) deps.metrics.record('compensationsRun', compensations);
  const order = await deps.orders.get(request.orderId);
  if (order) deps.metrics.record('sagaDuration', sagaMillis(order.createdAt, deps.clock));
}
