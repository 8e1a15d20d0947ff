/**
 * The input a saga step's function receives: the execution's input (orderId, paymentToken) plus what the
 * states before it added on their ResultPath — `reservation` after ReserveInventory, `charge` after
 * ChargePayment, `failureReason` on the way into a compensation (state-machines/order-saga.asl.json).
 */
import { randomUUID } from 'node:crypto';
import { FailureReason } from '../../../functions/orders/schemas';
import { orderSaga } from '../../saga';

export const sagaStates = orderSaga.tasks.map((t) => t.state);

export const FAILURE_REASONS: readonly string[] = FailureReason.options;

export interface SagaTaskOptions {
  state: string;
  orderId?: string;
  paymentToken?: string;
  chargeId?: string;
  failureReason?: string;
  /** When the stock hold ends (default: in 15 minutes). */
  expiresAt?: string;
}

/** The fields each state's input carries beyond the execution's own. */
const carries: Record<string, ('reservation' | 'charge' | 'failureReason')[]> = {
  ReserveInventory: [],
  ChargePayment: ['reservation'],
  ConfirmOrder: ['reservation', 'charge'],
  RefundPayment: ['failureReason', 'charge'],
  ReleaseInventory: ['failureReason'],
  CancelOrder: ['failureReason'],
};

export function sagaTaskInput(options: SagaTaskOptions): Record<string, unknown> {
  const fields = carries[options.state];
  if (!fields) throw new Error(`No saga step is named ${options.state}; steps: ${sagaStates.join(', ')}`);
  const orderId = options.orderId ?? randomUUID();
  const input: Record<string, unknown> = { orderId, paymentToken: options.paymentToken ?? 'tok_visa' };
  for (const field of fields) {
    if (field === 'reservation')
      input.reservation = { orderId, expiresAt: options.expiresAt ?? new Date(Date.now() + 15 * 60_000).toISOString() };
    if (field === 'charge') input.charge = { chargeId: options.chargeId ?? `ch_${randomUUID()}` };
    if (field === 'failureReason') input.failureReason = options.failureReason ?? 'PAYMENT_DECLINED';
  }
  return input;
}
