import * as z from 'zod/mini';
import { FailureReason } from './schemas';

/**
 * The saga's input names the order and how to pay for it, nothing else: every step reads what it needs —
 * lines, total, currency — from the stored order, the reservation and the ledger, so a forged or replayed
 * execution input cannot change what is reserved, charged or confirmed. Each step parses only the part of
 * the state it uses (the state also carries each step's ResultPath and, on failure, `error`).
 */
export const OrderStep = z.object({ orderId: z.string().check(z.minLength(1), z.maxLength(128)) });
export const ChargeStep = z.object({
  ...OrderStep.shape,
  paymentToken: z.string().check(z.minLength(1), z.maxLength(128)),
});
/** ConfirmOrder takes ChargePayment's result: the charge it names is checked against the ledger in the confirmation's transaction. */
export const ConfirmStep = z.object({
  ...OrderStep.shape,
  charge: z.optional(z.object({ chargeId: z.string().check(z.minLength(1), z.maxLength(128)) })),
});
/**
 * CancelOrder also reads what the compensations before it answered, to count those that undid something; loose
 * objects, since only their flags matter and each compensation's result carries more.
 */
export const CancelStep = z.object({
  ...OrderStep.shape,
  failureReason: z.optional(FailureReason),
  release: z.optional(z.looseObject({ released: z.optional(z.boolean()) })),
  refund: z.optional(z.looseObject({ refunded: z.optional(z.boolean()) })),
});

/** What POST /v1/orders starts the saga with. */
export const SagaInput = ChargeStep;
export type SagaInput = z.infer<typeof SagaInput>;
