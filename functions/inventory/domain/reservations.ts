import { SagaError } from '../../shared/saga-error';
import type { Clock } from '../../shared/clock';
import type { OrderLinesView, ReservationStore } from '../ports';

/** How long stock is held for an order that has not been confirmed (RESERVATION_TTL_SECONDS overrides). */
export const DEFAULT_RESERVATION_TTL_SECONDS = 15 * 60;

/** Same product twice in one order is one line: a transaction may touch each stock item only once. */
export const mergeLines = (lines: { productId: string; quantity: number }[]) => {
  const merged = new Map<string, number>();
  for (const { productId, quantity } of lines) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
};

export interface ReserveDeps {
  reservations: ReservationStore;
  orders: OrderLinesView;
  clock: Clock;
  ttlSeconds: number;
}

/**
 * Holds stock for an order's stored lines, all or none (never for lines an execution's input names).
 * Idempotent: a redelivered reservation finds the one already made and changes nothing. Only a PENDING
 * order gets a new hold.
 */
export async function reserveStock(
  orderId: string,
  deps: ReserveDeps,
  claimedLines?: { productId: string; quantity: number }[],
) {
  if (claimedLines) {
    // The input's lines, held only if the stored order is PENDING with exactly these lines (one transaction, no
    // read); otherwise — a redelivery, a forged input, an older order — the careful way below.
    const expiresAt = new Date(deps.clock.now().getTime() + deps.ttlSeconds * 1000).toISOString();
    const outcome = await deps.reservations.hold(
      { orderId, lines: mergeLines(claimedLines), expiresAt },
      { ifOrderHasLines: true },
    );
    // Only a hold is taken from it: a shortfall of claimed lines is confirmed with the stored ones below.
    if (outcome.kind === 'held') return { orderId, expiresAt };
  }
  const order = await deps.orders.get(orderId);
  if (!order) throw new SagaError('OrderNotFoundError', `Order ${orderId} does not exist`);
  if (order.status !== 'PENDING')
    return existingReservation(orderId, deps, `Order ${orderId} is ${order.status}: no new reservation`);
  // Hold first, look only on a conflict: the first delivery, by far the common case, costs one transaction.
  const expiresAt = new Date(deps.clock.now().getTime() + deps.ttlSeconds * 1000).toISOString();
  const outcome = await deps.reservations.hold({ orderId, lines: mergeLines(order.items), expiresAt });
  if (outcome.kind === 'insufficient') {
    throw new SagaError('InsufficientStockError', `Not enough stock for ${outcome.productIds.join(', ')}`);
  }
  if (outcome.kind === 'exists') return existingReservation(orderId, deps);
  return { orderId, expiresAt };
}

async function existingReservation(orderId: string, deps: Pick<ReserveDeps, 'reservations'>, otherwise?: string) {
  const existing = await deps.reservations.get(orderId);
  // Released (or never held, and tombstoned by a compensation): this delivery arrived after the saga gave up.
  if (existing?.status === 'RELEASED')
    throw new SagaError('ReservationReleasedError', `The reservation for ${orderId} was already released`);
  if (!existing) throw new SagaError('OrderNotPendingError', otherwise ?? `The reservation for ${orderId} is gone`);
  return { orderId, expiresAt: existing.expiresAt };
}

/**
 * Gives held stock back. When nothing was ever held it leaves a RELEASED tombstone, so that a late or
 * duplicated ReserveInventory for the same order cannot hold stock for an order that is being cancelled.
 * A no-op when already released or committed.
 */
export async function releaseStock(orderId: string, deps: { reservations: ReservationStore; clock?: Clock }) {
  const reservation = await deps.reservations.get(orderId);
  if (!reservation) {
    const tombstoned = await deps.reservations.tombstone(orderId, (deps.clock?.now() ?? new Date()).toISOString());
    if (tombstoned) return { released: false };
    return releaseStock(orderId, deps); // A hold landed between the read and the tombstone: release it.
  }
  if (reservation.status !== 'HELD') return { released: false };
  return { released: await deps.reservations.release(reservation) };
}
