import { describe, expect, it } from 'vitest';
import { reconcile, type ReconcileInput } from '../../functions/payments/domain/reconcile';
import type { OrderSummary } from '../../functions/payments/ports';
import type { GatewayCharge, GatewayRefund, LedgerEntry } from '../../functions/payments/ports';

const now = new Date('2026-12-06T12:00:00Z');
const earlier = '2026-12-06T10:00:00.000Z';

const order = (orderId: string, status: OrderSummary['status'], over: Partial<OrderSummary> = {}): OrderSummary => ({
  orderId,
  status,
  total: 1593,
  currency: 'GBP',
  payment: status === 'CONFIRMED' ? { status: 'CHARGED', chargeId: `ch_${orderId}` } : { status: 'NONE' },
  createdAt: earlier,
  updatedAt: earlier,
  ...over,
});
const gatewayCharge = (orderId: string, over: Partial<GatewayCharge> = {}): GatewayCharge => ({
  idempotencyKey: `charge:${orderId}`,
  reference: orderId,
  outcome: 'approved',
  chargeId: `ch_${orderId}`,
  amount: 1593,
  currency: 'GBP',
  at: earlier,
  ...over,
});
const gatewayRefund = (orderId: string, over: Partial<GatewayRefund> = {}): GatewayRefund => ({
  idempotencyKey: `refund:${orderId}`,
  refundId: `re_${orderId}`,
  chargeId: `ch_${orderId}`,
  amount: 1593,
  currency: 'GBP',
  at: earlier,
  ...over,
});
const ledgerEntry = (orderId: string, kind: LedgerEntry['kind'], over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  orderId,
  kind,
  reference: kind === 'CHARGE' ? `ch_${orderId}` : `re_${orderId}`,
  amount: 1593,
  currency: 'GBP',
  idempotencyKey: `${kind.toLowerCase()}:${orderId}`,
  at: earlier,
  ...over,
});

const run = (input: Partial<ReconcileInput>) =>
  reconcile({
    gatewayCharges: [],
    gatewayRefunds: [],
    ledger: [],
    intents: [],
    orders: [],
    now,
    graceSeconds: 300,
    ...input,
  }).map((m) => [m.kind, m.orderId]);

describe('payment reconciliation (functions/payments/domain/reconcile.ts)', () => {
  it('a confirmed and charged order, a cancelled and refunded one, a declined one and an uncharged cancelled one reconcile', () => {
    expect(
      run({
        orders: [
          order('ok', 'CONFIRMED'),
          order('refunded', 'CANCELLED', { payment: { status: 'REFUNDED', chargeId: 'ch_refunded' } }),
          order('declined', 'CANCELLED'),
          order('never', 'CANCELLED'),
        ],
        gatewayCharges: [
          gatewayCharge('ok'),
          gatewayCharge('refunded'),
          gatewayCharge('declined', { outcome: 'declined', chargeId: undefined }),
        ],
        gatewayRefunds: [gatewayRefund('refunded')],
        ledger: [ledgerEntry('ok', 'CHARGE'), ledgerEntry('refunded', 'CHARGE'), ledgerEntry('refunded', 'REFUND')],
      }),
    ).toEqual([]);
  });

  it('charged at the gateway, never in the ledger, order cancelled: charged-cancelled-unrefunded and charge-not-in-ledger (the crash of issue 10)', () => {
    expect(run({ orders: [order('lost', 'CANCELLED')], gatewayCharges: [gatewayCharge('lost')] })).toEqual([
      ['CHARGED_CANCELLED_UNREFUNDED', 'lost'],
      ['CHARGE_NOT_IN_LEDGER', 'lost'],
    ]);
  });

  it('a charge for an order that does not exist is reported as charged and unrefunded', () => {
    expect(run({ gatewayCharges: [gatewayCharge('ghost')], ledger: [ledgerEntry('ghost', 'CHARGE')] })).toEqual([
      ['CHARGED_CANCELLED_UNREFUNDED', 'ghost'],
    ]);
  });

  it('confirmed but not charged', () => {
    expect(run({ orders: [order('free', 'CONFIRMED')] })).toEqual([['CONFIRMED_NOT_CHARGED', 'free']]);
  });

  it('charged another amount than the order total (the forged 1-penny execution)', () => {
    expect(
      run({
        orders: [order('penny', 'CONFIRMED')],
        gatewayCharges: [gatewayCharge('penny', { amount: 1 })],
        ledger: [ledgerEntry('penny', 'CHARGE', { amount: 1 })],
      }),
    ).toEqual([['AMOUNT_MISMATCH', 'penny']]);
  });

  it('a confirmed order whose charge was refunded', () => {
    expect(
      run({
        orders: [order('both', 'CONFIRMED')],
        gatewayCharges: [gatewayCharge('both')],
        gatewayRefunds: [gatewayRefund('both')],
        ledger: [ledgerEntry('both', 'CHARGE'), ledgerEntry('both', 'REFUND')],
      }),
    ).toEqual([['CONFIRMED_BUT_REFUNDED', 'both']]);
  });

  it('ledger and gateway disagree on charges and refunds, and a partial refund', () => {
    expect(
      run({
        orders: [
          order('a', 'CANCELLED', { payment: { status: 'REFUNDED' } }),
          order('b', 'CANCELLED', { payment: { status: 'REFUNDED' } }),
          order('c', 'CONFIRMED'),
        ],
        gatewayCharges: [gatewayCharge('a'), gatewayCharge('b'), gatewayCharge('c', { chargeId: 'ch_other' })],
        gatewayRefunds: [gatewayRefund('a', { amount: 100 }), gatewayRefund('b')],
        ledger: [
          ledgerEntry('a', 'CHARGE'),
          ledgerEntry('b', 'CHARGE'),
          ledgerEntry('c', 'CHARGE'),
          ledgerEntry('c', 'REFUND'),
        ],
      }),
    ).toEqual([
      ['LEDGER_CHARGE_NOT_AT_GATEWAY', 'c'],
      ['LEDGER_REFUND_NOT_AT_GATEWAY', 'c'],
      ['ORDER_PAYMENT_STALE', 'c'],
      ['REFUND_AMOUNT_MISMATCH', 'a'],
      ['REFUND_NOT_IN_LEDGER', 'a'],
      ['REFUND_NOT_IN_LEDGER', 'b'],
    ]);
  });

  it('an order stuck PENDING past the grace period, and a cancelled order whose payment field missed its refund', () => {
    expect(
      run({
        orders: [order('stuck', 'PENDING'), order('stale', 'CANCELLED', { payment: { status: 'CHARGED' } })],
        gatewayCharges: [gatewayCharge('stale')],
        gatewayRefunds: [gatewayRefund('stale')],
        ledger: [ledgerEntry('stale', 'CHARGE'), ledgerEntry('stale', 'REFUND')],
      }),
    ).toEqual([
      ['ORDER_PAYMENT_STALE', 'stale'],
      ['STUCK_PENDING', 'stuck'],
    ]);
  });

  it('anything touched within the grace period is in flight and not judged yet', () => {
    const recent = new Date(now.getTime() - 60_000).toISOString();
    expect(
      run({
        orders: [order('flight', 'PENDING', { createdAt: recent, updatedAt: recent })],
        gatewayCharges: [gatewayCharge('flight', { at: recent })],
      }),
    ).toEqual([]);
    expect(
      run({
        orders: [order('flight', 'PENDING', { createdAt: recent, updatedAt: recent })],
        gatewayCharges: [gatewayCharge('flight', { at: recent })],
        graceSeconds: 0,
      }),
    ).toEqual([
      ['CHARGE_NOT_IN_LEDGER', 'flight'],
      ['STUCK_PENDING', 'flight'],
    ]);
  });
});
