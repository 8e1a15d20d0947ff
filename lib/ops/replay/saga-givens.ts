/**
 * What each saga fixture (events/sfn/) needs to exist before it runs, so that it replays to the outcome its
 * name promises. Every step reads the stored order, its reservation and its ledger, never the fixture's
 * input alone: without them a replay only shows the saga compensating for an order that does not exist.
 *
 * The world of a saga fixture: its order (the fixture's orderId) PENDING, two enamel mugs (prd_fx_mug, a
 * fixture-only product) at £12.50, with 10 in stock; then the saga steps that would have run before the
 * fixture's own, run through the platform's functions with the fixture as their input. Everything the order
 * had before (reservation, ledger, the test gateway's records) is forgotten first, so a replay gives the same
 * outcome however often it runs.
 */
import type { PricedLine } from './fixture-order';

export type SagaState =
  'ReserveInventory' | 'ChargePayment' | 'ConfirmOrder' | 'RefundPayment' | 'ReleaseInventory' | 'CancelOrder';

export interface SagaGiven {
  /** The steps that ran for the order before the fixture's own, in order. */
  stepsBefore: SagaState[];
}

export const FIXTURE_PRODUCT_ID = 'prd_fx_mug';
export const FIXTURE_STOCK = 10;
export const fixtureLines: PricedLine[] = [
  { productId: FIXTURE_PRODUCT_ID, name: 'Enamel mug', quantity: 2, unitPrice: 1250, lineTotal: 2500 },
];

/** Keyed by the fixture's path under events/. A saga fixture without an entry is refused, not replayed blind. */
export const sagaGivens: Record<string, SagaGiven> = {
  // A whole checkout, from a PENDING order to CONFIRMED.
  'sfn/execution/visa.json': { stepsBefore: [] },
  // The same checkout with a card the gateway declines: compensated (released, cancelled), never a success.
  'sfn/execution/declined.json': { stepsBefore: [] },
  'sfn/ReserveInventory/reserve.json': { stepsBefore: [] },
  'sfn/ChargePayment/charge-visa.json': { stepsBefore: ['ReserveInventory'] },
  'sfn/ChargePayment/charge-declined.json': { stepsBefore: ['ReserveInventory'] },
  // Its charge is the one ChargePayment makes for this order (the test gateway's id is a hash of the order).
  'sfn/ConfirmOrder/confirm.json': { stepsBefore: ['ReserveInventory', 'ChargePayment'] },
  // Confirmation failed (INTERNAL) after the charge: the charge is refunded.
  'sfn/RefundPayment/refund.json': { stepsBefore: ['ReserveInventory', 'ChargePayment'] },
  // The payment was declined: the held stock goes back.
  'sfn/ReleaseInventory/release.json': { stepsBefore: ['ReserveInventory'] },
  // The payment was declined and the stock released: the order is cancelled.
  'sfn/CancelOrder/cancel-declined.json': { stepsBefore: ['ReserveInventory', 'ReleaseInventory'] },
};
