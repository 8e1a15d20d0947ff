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

/** The payments ledger: at most one charge and one refund per order, each written once. */
export interface PaymentsLedger {
  entries(orderId: string): Promise<LedgerEntry[]>;
  /** Records the entry unless one of its kind exists for the order; returns the entry that stands. */
  record(entry: LedgerEntry): Promise<LedgerEntry>;
}

export type ChargeResult = { outcome: 'approved'; chargeId: string } | { outcome: 'declined'; reason: string };

/** A card gateway. Every call carries an idempotency key: the same key never charges or refunds twice. */
export interface PaymentGateway {
  charge(request: { token: string; amount: number; currency: string; idempotencyKey: string }): Promise<ChargeResult>;
  refund(request: { chargeId: string; amount: number; currency: string; idempotencyKey: string }): Promise<{ refundId: string }>;
}

export interface PaymentsDeps {
  ledger: PaymentsLedger;
  gateway: PaymentGateway;
  clock: { now(): Date };
}
