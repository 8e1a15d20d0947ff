import type { Clock } from '../shared/clock';

/** Money that moved at the gateway, as the ledger records it once the gateway confirmed it. */
export interface LedgerEntry {
  orderId: string;
  kind: 'CHARGE' | 'REFUND';
  /** Gateway reference: the charge id, or the refund id. */
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  at: string;
}

/** How a charge intent ended; an open intent has none yet. */
export type IntentOutcome = 'CHARGED' | 'DECLINED' | 'REFUNDED' | 'NOT_CHARGED';

/**
 * What the payment step meant to charge, written before the gateway is called: whatever crashes after, the
 * intent says the gateway may hold a charge under `idempotencyKey`, so settlement asks the gateway.
 * It stays open until the order it pays for is settled (confirmed and charged, or cancelled and not charged).
 */
export interface ChargeIntent {
  orderId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  at: string;
  /** When the latest attempt called (or was about to call) the gateway. */
  attemptAt: string;
  open: boolean;
  outcome?: IntentOutcome;
}

export type RefundClaim = 'claimed' | 'already-claimed' | 'order-confirmed';

/** The payments ledger: intents, then at most one charge and one refund per order, each written once. */
export interface PaymentsLedger {
  entries(orderId: string): Promise<LedgerEntry[]>;
  /** Records the entry unless one of its kind exists for the order; returns the entry that stands. */
  record(entry: LedgerEntry): Promise<LedgerEntry>;
  /** Writes the charge intent unless one exists (the first amount stands), opens it and stamps this attempt. */
  intendCharge(
    intent: Pick<ChargeIntent, 'orderId' | 'amount' | 'currency' | 'idempotencyKey' | 'at'>,
  ): Promise<ChargeIntent>;
  /**
   * intendCharge on condition that the stored order is PENDING with exactly this amount and currency, and that an
   * intent already there has them too, in one transaction; undefined (and nothing written) when either is not so.
   */
  intendChargeOfPendingOrder(
    intent: Pick<ChargeIntent, 'orderId' | 'amount' | 'currency' | 'idempotencyKey' | 'at'>,
  ): Promise<Pick<ChargeIntent, 'amount' | 'currency' | 'idempotencyKey'> | undefined>;
  chargeIntent(orderId: string): Promise<ChargeIntent | undefined>;
  closeIntent(orderId: string, outcome: IntentOutcome): Promise<void>;
  /** Open intents whose latest attempt is older than `before`, oldest first. */
  openIntents(before: string, limit: number): Promise<ChargeIntent[]>;
  /**
   * Claims the order's refund before the gateway is asked, in one transaction with a check that the order
   * is not CONFIRMED; the confirmation checks the claim is absent. So an order is confirmed or refunded, never both.
   */
  claimRefund(claim: {
    orderId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    at: string;
  }): Promise<RefundClaim>;
  /** Every entry and charge intent (reconciliation). */
  all(): AsyncIterable<{ entry: LedgerEntry } | { intent: ChargeIntent }>;
}

export type ChargeResult = { outcome: 'approved'; chargeId: string } | { outcome: 'declined'; reason: string };

/** A charge as the gateway keeps it: what reconciliation and settlement compare the ledger with. */
export interface GatewayCharge {
  idempotencyKey: string;
  /** The order it was for (the request's reference, kept as metadata by the gateway). */
  reference: string;
  outcome: 'approved' | 'declined';
  chargeId?: string;
  amount: number;
  currency: string;
  at: string;
}

export interface GatewayRefund {
  idempotencyKey: string;
  refundId: string;
  chargeId: string;
  amount: number;
  currency: string;
  at: string;
}

/** A card gateway. Every call carries an idempotency key: the same key never charges or refunds twice. */
export interface PaymentGateway {
  charge(request: {
    token: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    reference: string;
  }): Promise<ChargeResult>;
  refund(request: {
    chargeId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
  }): Promise<{ refundId: string }>;
  /** The gateway's own record of a charge request, without making one; undefined when it never saw the key. */
  chargeOf(idempotencyKey: string): Promise<GatewayCharge | undefined>;
  /** Every charge and refund the gateway holds (reconciliation). */
  records(): AsyncIterable<GatewayCharge | (GatewayRefund & { kind: 'refund' })>;
}

/** An order as reconciliation reads it. */
export interface OrderSummary {
  orderId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  total: number;
  currency: string;
  payment: { status: string; chargeId?: string };
  createdAt: string;
  updatedAt: string;
}

/** The orders context's view of an order, as payments needs it: money is read from here, never from a saga's input. */
export interface OrderView {
  get(
    orderId: string,
  ): Promise<
    { orderId: string; status: 'PENDING' | 'CONFIRMED' | 'CANCELLED'; total: number; currency: string } | undefined
  >;
  /** Every order, as reconciliation compares it with the gateway. */
  all(): AsyncIterable<OrderSummary>;
}

export interface PaymentsDeps {
  ledger: PaymentsLedger;
  gateway: PaymentGateway;
  orders: OrderView;
  clock: Clock;
  /** An attempt older than this has ended one way or the other (the charge step's timeout, with margin). */
  attemptSettledAfterMs: number;
}
