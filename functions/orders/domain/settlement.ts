import type { FailureReason } from '../schemas';
import type { SettlementDeps } from '../ports';

export type SettledAs = 'confirmed' | 'cancelled';

/**
 * Brings one order to its end from what the tables and the gateway hold, whatever crashed on the way. Its
 * payment is refunded first (the refund's claim and the order's confirmation exclude each other, so a
 * confirmation that wins stops it here), its stock given back (which no later confirmation survives either:
 * confirming needs a held reservation), and only then is the order cancelled, showing what its payment came
 * to. A crash anywhere before the cancel leaves the order PENDING for the next pass to finish; every step is
 * idempotent. A CONFIRMED order is left as it is.
 */
export async function settleOrder(orderId: string, reason: FailureReason, deps: SettlementDeps): Promise<SettledAs> {
  const order = await deps.orders.get(orderId);
  if (order?.status === 'CONFIRMED') return 'confirmed';
  if ((await deps.payments.refund(orderId)) === 'order-confirmed') return 'confirmed';
  await deps.stock.release(orderId);
  if (!order) return 'cancelled';
  const outcome = await deps.orders.cancel(orderId, {
    reason: order.failureReason ?? reason,
    payment: await deps.payments.statusOf(orderId),
    at: deps.clock.now().toISOString(),
  });
  return outcome === 'not-pending' ? 'confirmed' : 'cancelled';
}

export interface SettlementReport {
  /** Orders whose reservation expired before they were confirmed. */
  expired: number;
  /** PENDING orders past the grace period whose saga is not running (it died, or never started). */
  stalled: number;
  /** Payments still open past the grace period, settled against the gateway. */
  payments: number;
}

/**
 * The settlement pass, run on a schedule: it ends every order the saga left unfinished — reservations past
 * their expiry, PENDING orders whose saga is not running (with or without a reservation), and payment
 * intents never settled (a charge the ledger missed, a refund cut short) — so every order reaches
 * CONFIRMED or CANCELLED within a bounded time of any crash, and no charge is left on a cancelled order.
 */
export async function settleOrders(deps: SettlementDeps): Promise<SettlementReport> {
  const now = deps.clock.now();
  const batch = deps.batchSize ?? 25;
  const graceAgo = new Date(now.getTime() - deps.graceSeconds * 1000).toISOString();
  const report: SettlementReport = { expired: 0, stalled: 0, payments: 0 };

  for (const orderId of await deps.stock.expired(now.toISOString(), batch)) {
    await settleOrder(orderId, 'RESERVATION_EXPIRED', deps);
    report.expired += 1;
  }
  for (const { orderId } of await deps.orders.listPending(graceAgo, batch * 4)) {
    if (await deps.sagas.isRunning(orderId)) continue;
    if ((await settleOrder(orderId, 'INTERNAL', deps)) === 'cancelled') report.stalled += 1;
  }
  for (const orderId of await deps.payments.unsettled(graceAgo, batch * 4)) {
    const order = await deps.orders.get(orderId);
    if (order?.status === 'PENDING') continue; // the pass above ends it once its saga is no longer running
    const payment = await deps.payments.settle(orderId);
    if (order?.status === 'CANCELLED' && payment !== 'PENDING')
      await deps.orders.cancel(orderId, {
        reason: order.failureReason ?? 'INTERNAL',
        payment,
        at: deps.clock.now().toISOString(),
      });
    report.payments += 1;
  }
  return report;
}
