import type { ChargeIntent, GatewayCharge, GatewayRefund, LedgerEntry, OrderSummary, PaymentsDeps } from '../ports';

export interface ReconcileInput {
  gatewayCharges: GatewayCharge[];
  gatewayRefunds: GatewayRefund[];
  ledger: LedgerEntry[];
  intents: ChargeIntent[];
  orders: OrderSummary[];
  now: Date;
  /** Anything touched more recently is still in flight (a saga, settlement) and not judged yet. */
  graceSeconds: number;
}

export const MISMATCH_KINDS = {
  CHARGED_CANCELLED_UNREFUNDED: 'the gateway charged it, the order is cancelled (or missing) and nothing was refunded',
  CONFIRMED_NOT_CHARGED: 'the order is confirmed but the gateway holds no approved charge for it',
  AMOUNT_MISMATCH: "the gateway charged another amount or currency than the order's total",
  CHARGE_NOT_IN_LEDGER: 'the gateway charged it but the ledger has no charge',
  LEDGER_CHARGE_NOT_AT_GATEWAY: 'the ledger has a charge the gateway does not (or under another id)',
  REFUND_NOT_IN_LEDGER: 'the gateway refunded it but the ledger has no refund',
  LEDGER_REFUND_NOT_AT_GATEWAY: 'the ledger has a refund the gateway does not',
  REFUND_AMOUNT_MISMATCH: 'the refund is not the whole charge',
  CONFIRMED_BUT_REFUNDED: 'the order is confirmed but its charge was refunded',
  ORDER_PAYMENT_STALE: "the order's payment field disagrees with the gateway",
  STUCK_PENDING: 'the order is still PENDING long after settlement should have ended it',
} as const;
export type MismatchKind = keyof typeof MISMATCH_KINDS;

export interface Mismatch {
  kind: MismatchKind;
  orderId: string;
  message: string;
  details: Record<string, unknown>;
}

interface OrderMoney {
  order?: OrderSummary;
  charge?: GatewayCharge;
  refund?: GatewayRefund;
  ledgerCharge?: LedgerEntry;
  ledgerRefund?: LedgerEntry;
  intent?: ChargeIntent;
}

/** Everything known of each order's money, by order id: the gateway's records matched by reference and charge id. */
function byOrder(input: ReconcileInput): Map<string, OrderMoney> {
  const all = new Map<string, OrderMoney>();
  const of = (orderId: string) => all.get(orderId) ?? all.set(orderId, {}).get(orderId)!;
  for (const order of input.orders) of(order.orderId).order = order;
  for (const entry of input.ledger)
    of(entry.orderId)[entry.kind === 'CHARGE' ? 'ledgerCharge' : 'ledgerRefund'] = entry;
  for (const intent of input.intents) of(intent.orderId).intent = intent;
  const orderOfCharge = new Map<string, string>();
  for (const charge of input.gatewayCharges) {
    if (charge.outcome !== 'approved') continue;
    of(charge.reference).charge = charge;
    if (charge.chargeId) orderOfCharge.set(charge.chargeId, charge.reference);
  }
  for (const refund of input.gatewayRefunds) {
    const orderId = orderOfCharge.get(refund.chargeId);
    if (orderId) of(orderId).refund = refund;
  }
  return all;
}

const lastActivity = (m: OrderMoney) =>
  Math.max(
    ...[m.order?.updatedAt, m.charge?.at, m.refund?.at, m.ledgerCharge?.at, m.ledgerRefund?.at, m.intent?.attemptAt]
      .filter((t): t is string => !!t)
      .map(Date.parse),
  );

/** The mismatches of one order's money; none when it is consistent. */
function check(orderId: string, m: OrderMoney): [MismatchKind, Record<string, unknown>][] {
  const { order, charge, refund, ledgerCharge, ledgerRefund } = m;
  const found: [MismatchKind, Record<string, unknown>][] = [];
  const ended = !order || order.status === 'CANCELLED';
  if (charge && ended && !refund)
    found.push([
      'CHARGED_CANCELLED_UNREFUNDED',
      { status: order?.status ?? 'missing', chargeId: charge.chargeId, amount: charge.amount },
    ]);
  if (order?.status === 'CONFIRMED' && !charge) found.push(['CONFIRMED_NOT_CHARGED', { total: order.total }]);
  if (order?.status === 'CONFIRMED' && refund) found.push(['CONFIRMED_BUT_REFUNDED', { refundId: refund.refundId }]);
  if (charge && order && (charge.amount !== order.total || charge.currency !== order.currency)) {
    found.push([
      'AMOUNT_MISMATCH',
      { charged: `${charge.amount} ${charge.currency}`, total: `${order.total} ${order.currency}` },
    ]);
  }
  if (charge && !ledgerCharge) found.push(['CHARGE_NOT_IN_LEDGER', { chargeId: charge.chargeId }]);
  if (
    ledgerCharge &&
    (!charge || charge.chargeId !== ledgerCharge.reference || charge.amount !== ledgerCharge.amount)
  ) {
    found.push([
      'LEDGER_CHARGE_NOT_AT_GATEWAY',
      {
        ledger: `${ledgerCharge.reference} ${ledgerCharge.amount}`,
        gateway: charge ? `${charge.chargeId} ${charge.amount}` : 'none',
      },
    ]);
  }
  if (refund && !ledgerRefund) found.push(['REFUND_NOT_IN_LEDGER', { refundId: refund.refundId }]);
  if (ledgerRefund && (!refund || refund.refundId !== ledgerRefund.reference))
    found.push(['LEDGER_REFUND_NOT_AT_GATEWAY', { refundId: ledgerRefund.reference }]);
  if (refund && charge && refund.amount !== charge.amount)
    found.push(['REFUND_AMOUNT_MISMATCH', { refunded: refund.amount, charged: charge.amount }]);
  if (order?.status === 'PENDING') found.push(['STUCK_PENDING', { createdAt: order.createdAt }]);
  if (order && charge && paymentShown(order, charge, refund))
    found.push([
      'ORDER_PAYMENT_STALE',
      { shows: order.payment, gateway: refund ? 'REFUNDED' : `CHARGED ${charge.chargeId}` },
    ]);
  return found;
}

/** Whether the order's `payment` misstates what the gateway did (only judged for orders that have ended). */
function paymentShown(order: OrderSummary, charge: GatewayCharge, refund: GatewayRefund | undefined): boolean {
  if (order.status === 'CONFIRMED')
    return order.payment.status !== 'CHARGED' || order.payment.chargeId !== charge.chargeId;
  if (order.status === 'CANCELLED' && refund) return order.payment.status !== 'REFUNDED';
  return false;
}

/**
 * Compares the gateway's records with the ledger and the orders, order by order, and lists every
 * mismatch. Orders with activity within the grace period are in flight and left for the next run.
 */
export function reconcile(input: ReconcileInput): Mismatch[] {
  const cutoff = input.now.getTime() - input.graceSeconds * 1000;
  const mismatches: Mismatch[] = [];
  for (const [orderId, money] of byOrder(input)) {
    if (lastActivity(money) > cutoff) continue;
    for (const [kind, details] of check(orderId, money))
      mismatches.push({ kind, orderId, message: MISMATCH_KINDS[kind], details });
  }
  const byKey = (m: Mismatch) => `${m.kind} ${m.orderId}`;
  return mismatches.sort((a, b) => (byKey(a) < byKey(b) ? -1 : byKey(a) > byKey(b) ? 1 : 0));
}

/** Reads every record reconciliation compares: the gateway's, the ledger's and the orders'. */
export async function loadRecords(
  deps: Pick<PaymentsDeps, 'gateway' | 'ledger' | 'orders'>,
): Promise<Omit<ReconcileInput, 'now' | 'graceSeconds'>> {
  const input: Omit<ReconcileInput, 'now' | 'graceSeconds'> = {
    gatewayCharges: [],
    gatewayRefunds: [],
    ledger: [],
    intents: [],
    orders: [],
  };
  for await (const record of deps.gateway.records()) {
    if ('kind' in record) input.gatewayRefunds.push(record);
    else input.gatewayCharges.push(record);
  }
  for await (const item of deps.ledger.all()) {
    if ('intent' in item) input.intents.push(item.intent);
    else input.ledger.push(item.entry);
  }
  for await (const order of deps.orders.all()) input.orders.push(order);
  return input;
}

/** The whole reconciliation: records read, compared, mismatches listed. */
export async function reconcilePayments(
  deps: Pick<PaymentsDeps, 'gateway' | 'ledger' | 'orders' | 'clock'>,
  graceSeconds: number,
) {
  const records = await loadRecords(deps);
  const mismatches = reconcile({ ...records, now: deps.clock.now(), graceSeconds });
  return {
    mismatches,
    checked: {
      orders: records.orders.length,
      gatewayCharges: records.gatewayCharges.length,
      gatewayRefunds: records.gatewayRefunds.length,
      ledgerEntries: records.ledger.length,
    },
  };
}
