import type { FailureReason } from '../schemas';
import type { SettlementDeps } from '../ports';

export type SettledAs = 'confirmed' | 'cancelled' | 'pending';

/**
 * Brings one order to its end from what the tables and the gateway hold, whatever crashed on the way: a
 * PENDING order is cancelled first (after which nothing can confirm it), then its payment is settled from
 * the ledger and the gateway's own record (refunded if anything was charged), its stock given back, and the
 * order shows what its payment came to. A CONFIRMED order is left as it is. Every step is idempotent.
 */
export async function settleOrder(orderId: string, reason: FailureReason, deps: SettlementDeps): Promise<SettledAs> {
  const at = () => deps.clock.now().toISOString();
  let order = await deps.orders.get(orderId);
  if (order?.status === 'CONFIRMED') return 'confirmed';
  if (order?.status === 'PENDING') {
    const outcome = await deps.orders.cancel(orderId, { reason, payment: await deps.payments.statusOf(orderId), at: at() });
    // Confirmed between the read and the cancel: its saga finished after all.
    if (outcome === 'not-pending') return 'confirmed';
    order = await deps.orders.get(orderId);
  }
  const payment = await deps.payments.settle(orderId);
  await deps.stock.release(orderId);
  if (order && payment !== 'PENDING') await deps.orders.cancel(orderId, { reason: order.failureReason ?? reason, payment, at: at() });
  return 'cancelled';
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
    if (order?.status === 'CANCELLED' && payment !== 'PENDING') await deps.orders.cancel(orderId, { reason: order.failureReason ?? 'INTERNAL', payment, at: deps.clock.now().toISOString() });
    report.payments += 1;
  }
  return report;
}
