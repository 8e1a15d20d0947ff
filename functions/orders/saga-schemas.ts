import * as z from 'zod/mini';
import { FailureReason } from './schemas';

/**
 * The saga's input names the order and how to pay for it, and repeats what the order was placed with — its merged
 * lines, total and currency — only as claims: a step that uses one writes on condition that the stored order (still
 * PENDING) says the same, in the same transaction, and otherwise reads what it needs from the stored order, the
 * reservation and the ledger. A forged or replayed execution input cannot change what is reserved, charged or
 * confirmed; a true one saves each step its read of the order. Each step parses only the part of the state it uses
 * (the state also carries each step's ResultPath and, on failure, `error`).
 */
export const OrderStep = z.object({ orderId: z.string().check(z.minLength(1), z.maxLength(128)) });
const ClaimedLine = z.object({ productId: z.string(), quantity: z.int() });
/** ReserveInventory: the order's merged lines, as claimed. */
export const ReserveStep = z.object({
  ...OrderStep.shape,
  lines: z.optional(z.array(ClaimedLine).check(z.minLength(1), z.maxLength(100))),
});
export const ChargeStep = z.object({
  ...OrderStep.shape,
  paymentToken: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The order's total and currency, as claimed. */
  total: z.optional(z.int()),
  currency: z.optional(z.string().check(z.length(3))),
});
/**
 * ConfirmOrder takes ChargePayment's result: the charge it names is checked against the ledger in the confirmation's
 * transaction; and the order's claims (shopper, creation, lines, total), checked against the stored order there too.
 */
export const ConfirmStep = z.object({
  ...ChargeStep.shape,
  paymentToken: z.optional(ChargeStep.shape.paymentToken),
  ...ReserveStep.shape,
  charge: z.optional(z.object({ chargeId: z.string().check(z.minLength(1), z.maxLength(128)) })),
  userId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  createdAt: z.optional(z.string().check(z.maxLength(64))),
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
export const SagaInput = z.object({
  ...ChargeStep.shape,
  lines: ReserveStep.shape.lines,
  userId: ConfirmStep.shape.userId,
  createdAt: ConfirmStep.shape.createdAt,
});
export type SagaInput = z.infer<typeof SagaInput>;
