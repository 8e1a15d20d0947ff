import { SagaError } from '../../shared/saga-error';
import type { Clock } from '../../shared/clients';
import { mergeLines } from '../../inventory/domain/reservations';
import type { CartGateway, OrderRepository, PaymentsGateway } from '../ports';
import type { FailureReason } from '../schemas';
import { cartOwnerOfUser } from './orders';

export interface ConfirmDeps {
  orders: OrderRepository;
  payments: Pick<PaymentsGateway, 'chargeOf'>;
  carts: CartGateway;
  clock: Clock;
  /** Where a confirmed order's trouble after its commit is told (it must not fail the step). */
  warn: (message: string, details: Record<string, unknown>) => void;
}

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
export async function confirmOrder(request: { orderId: string; charge?: { chargeId: string } }, deps: ConfirmDeps) {
  const { orderId } = request;
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
  } else if (order.status !== 'CONFIRMED') {
    throw new SagaError('OrderNotPendingError', `Order ${orderId} is ${order.status}`);
  }
  // Past the commit nothing may fail the step: the state machine would compensate, and a compensation
  // never undoes a confirmed order. A cart that keeps its lines is a nuisance the shopper can fix.
  try {
    await deps.carts.removeLines(
      cartOwnerOfUser(order.userId),
      order.items.map((l) => l.productId),
    );
  } catch (error) {
    deps.warn('confirmed order left its cart lines', { orderId, error });
  }
  return { status: 'CONFIRMED' as const };
}

/**
 * The order becomes CANCELLED with its reason and the payment status its ledger shows. A confirmed order
 * is never cancelled: an execution that gets here for one (a duplicate, or one started with a forged
 * input) is refused, and ends in the dead-letter queue for an operator to look at.
 */
export async function cancelOrder(
  request: { orderId: string; failureReason?: FailureReason },
  deps: { orders: OrderRepository; payments: Pick<PaymentsGateway, 'statusOf'>; clock: Clock },
) {
  const payment = await deps.payments.statusOf(request.orderId);
  const outcome = await deps.orders.cancel(request.orderId, {
    reason: request.failureReason ?? 'INTERNAL',
    payment,
    at: deps.clock.now().toISOString(),
  });
  // No order to cancel (a saga replayed from a fixture, say): the compensation has nothing left to undo.
  if (outcome === 'not-found') return { status: 'NOT_FOUND' as const };
  if (outcome === 'not-pending')
    throw new SagaError('OrderNotPendingError', `Order ${request.orderId} cannot be cancelled now`);
  return { status: 'CANCELLED' as const };
}
