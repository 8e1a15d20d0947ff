import { SagaError } from '../../shared/saga';
import type { Clock } from '../../shared/clients';
import type { ReservationStore } from '../ports';

export const RESERVATION_TTL_MINUTES = 15;

export interface ReservationRequest {
  orderId: string;
  lines: { productId: string; quantity: number }[];
}

/** Same product twice in one order is one line: a transaction may touch each stock item only once. */
export const mergeLines = (lines: ReservationRequest['lines']) => {
  const merged = new Map<string, number>();
  for (const { productId, quantity } of lines) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
};

/**
 * Holds stock for an order, all lines or none. Idempotent: a redelivered reservation finds the one
 * already made and changes nothing.
 */
export async function reserveStock(request: ReservationRequest, deps: { reservations: ReservationStore; clock: Clock }) {
  // Hold first, look only on a conflict: the first delivery, by far the common case, costs one transaction.
  const expiresAt = new Date(deps.clock.now().getTime() + RESERVATION_TTL_MINUTES * 60_000).toISOString();
  const outcome = await deps.reservations.hold({ orderId: request.orderId, lines: mergeLines(request.lines), expiresAt });
  if (outcome.kind === 'insufficient') {
    throw new SagaError('InsufficientStockError', `Not enough stock for ${outcome.productIds.join(', ')}`);
  }
  if (outcome.kind === 'exists') {
    const existing = await deps.reservations.get(request.orderId);
    // Released (or never held, and tombstoned by a compensation): this delivery arrived after the saga gave up.
    if (existing && existing.status === 'RELEASED') throw new SagaError('ReservationReleasedError', `The reservation for ${request.orderId} was already released`);
    return { orderId: request.orderId, expiresAt: existing?.expiresAt ?? expiresAt };
  }
  return { orderId: request.orderId, expiresAt };
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
