import type { Clock } from '../../shared/clients';
import { logger } from '../../shared/observability';
import type { ReservationStore } from '../../inventory/ports';
import { releaseStock } from '../../inventory/domain/reservations';
import type { PaymentsDeps } from '../../payments/ports';
import { refundOrder } from '../../payments/domain/payments';
import type { OrderRepository } from '../ports';

/**
 * Reservations whose order never finished (its saga died, or is stuck past the expiry): the stock goes
 * back, any charge is refunded, and the order is CANCELLED with RESERVATION_EXPIRED. Each step is
 * idempotent, so a sweep racing a late saga step leaves the same end state whichever runs first.
 */
export async function sweepExpiredReservations(
  deps: { reservations: ReservationStore; orders: OrderRepository; payments: PaymentsDeps; clock: Clock },
  batchSize = 50,
): Promise<{ swept: number }> {
  const now = deps.clock.now().toISOString();
  const expired = await deps.reservations.listExpired(now, batchSize);
  let swept = 0;
  for (const reservation of expired) {
    const order = await deps.orders.get(reservation.orderId);
    if (order && order.status !== 'PENDING') continue; // Confirmed or cancelled since: the saga finished it.
    await releaseStock(reservation.orderId, deps);
    const refund = await refundOrder(reservation.orderId, deps.payments);
    if (order) {
      await deps.orders.cancel(reservation.orderId, {
        reason: 'RESERVATION_EXPIRED',
        payment: refund.refunded ? { status: 'REFUNDED' } : { status: 'NONE' },
        at: now,
      });
    }
    swept += 1;
    logger.info('expired reservation swept', { orderId: reservation.orderId, refunded: refund.refunded });
  }
  return { swept };
}
