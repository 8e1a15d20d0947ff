import { SagaError } from '../../shared/saga';
import { logger } from '../../shared/observability';
import type { Clock } from '../../shared/clients';
import type { CartGateway, OrderRepository } from '../ports';
import type { SagaState } from '../saga-schemas';
import type { PaymentStatus } from '../schemas';

/**
 * The order becomes CONFIRMED and its reservation committed, atomically; then the cart lines it bought
 * are removed. A redelivery finds the order confirmed and only repeats the (idempotent) cart clean-up.
 */
export async function confirmOrder(state: SagaState, deps: { orders: OrderRepository; carts: CartGateway; clock: Clock }) {
  if (!state.charge) throw new SagaError('InvalidSagaInput', 'ConfirmOrder needs the charge');
  const outcome = await deps.orders.confirm(state.orderId, { chargeId: state.charge.chargeId, at: deps.clock.now().toISOString(), lines: state.lines });
  if (outcome === 'reservation-not-held') throw new SagaError('ReservationExpiredError', `The reservation for ${state.orderId} is no longer held`);
  if (outcome === 'not-pending') throw new SagaError('OrderNotPendingError', `Order ${state.orderId} is no longer pending`);
  // Past the commit nothing may fail the step: the state machine would compensate, refunding a confirmed
  // order. A cart that keeps its lines is a nuisance the shopper can fix; it is logged for operators.
  if (state.cartOwnerId) {
    try {
      await deps.carts.removeLines(state.cartOwnerId, state.lines.map((l) => l.productId));
    } catch (error) {
      logger.error('confirmed order left its cart lines', { orderId: state.orderId, error: error as Error });
    }
  }
  return { status: 'CONFIRMED' as const };
}

/** What the payment of a cancelled order ended as, from the saga's own record of its steps. */
export const paymentStatusOf = (state: SagaState): { status: PaymentStatus; chargeId?: string } => {
  if (state.refund?.refunded) return { status: 'REFUNDED', chargeId: state.charge?.chargeId };
  if (state.failureReason === 'PAYMENT_DECLINED') return { status: 'DECLINED' };
  return { status: 'NONE' };
};

export async function cancelOrder(state: SagaState, deps: { orders: OrderRepository; clock: Clock }) {
  const outcome = await deps.orders.cancel(state.orderId, {
    reason: state.failureReason ?? 'INTERNAL',
    payment: paymentStatusOf(state),
    at: deps.clock.now().toISOString(),
  });
  // No order to cancel (a saga replayed from a fixture, say): the compensation has nothing left to undo.
  if (outcome === 'not-found') {
    logger.warn('cancelling an order that does not exist', { orderId: state.orderId });
    return { status: 'NOT_FOUND' as const };
  }
  // A confirmed order is never cancelled by a compensation: that would be a bug in the saga's wiring.
  if (outcome === 'not-pending') throw new SagaError('OrderNotPendingError', `Order ${state.orderId} cannot be cancelled now`);
  return { status: 'CANCELLED' as const };
}
