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
    const again = await deps.reservations.get(request.orderId);
    return { orderId: request.orderId, expiresAt: again?.expiresAt ?? expiresAt };
  }
  return { orderId: request.orderId, expiresAt };
}

/** Gives held stock back. A no-op when nothing is held (never reserved, already released, or committed). */
export async function releaseStock(orderId: string, deps: { reservations: ReservationStore }) {
  const reservation = await deps.reservations.get(orderId);
  if (!reservation || reservation.status !== 'HELD') return { released: false };
  return { released: await deps.reservations.release(reservation) };
}
