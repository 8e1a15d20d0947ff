import type { Clock } from '../../shared/clients';
import { logger } from '../../shared/observability';
import type { ReservationStore } from '../../inventory/ports';
import type { PaymentsDeps } from '../../payments/ports';
import { refundOrder } from '../../payments/domain/payments';
import type { OrderRepository } from '../ports';

/**
 * Reservations past their expiry whose order never finished (its saga died, or is stuck): the order is
 * CANCELLED RESERVATION_EXPIRED first — which is what stops a late ConfirmOrder, whose transaction needs
 * it PENDING — then the stock goes back and any charge is refunded. A reservation whose order was
 * cancelled some other way is released too; one whose order is CONFIRMED is left alone.
 */
export async function sweepExpiredReservations(
  deps: { reservations: ReservationStore; orders: OrderRepository; payments: PaymentsDeps; clock: Clock },
  batchSize = 50,
): Promise<{ swept: number }> {
  const now = deps.clock.now().toISOString();
  const expired = await deps.reservations.listExpired(now, batchSize);
  let swept = 0;
  for (const reservation of expired) {
    const { orderId } = reservation;
    const order = await deps.orders.get(orderId);
    if (order?.status === 'PENDING') {
      const outcome = await deps.orders.cancel(orderId, { reason: 'RESERVATION_EXPIRED', payment: { status: 'NONE' }, at: now });
      // Confirmed between the read and the cancel: its saga finished after all.
      if (outcome === 'not-pending') continue;
    } else if (order?.status === 'CONFIRMED') {
      continue;
    }
    await deps.reservations.release(reservation);
    if (order) {
      const refund = await refundOrder(orderId, deps.payments);
      if (refund.refunded) {
        await deps.orders.cancel(orderId, { reason: 'RESERVATION_EXPIRED', payment: { status: 'REFUNDED', chargeId: order.payment.chargeId }, at: now });
      }
    }
    swept += 1;
    logger.info('expired reservation swept', { orderId, orderStatus: order?.status ?? 'missing' });
  }
  return { swept };
}
