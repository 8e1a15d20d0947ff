import * as z from 'zod/mini';

/** The saga's state as it flows through the state machine: the input plus each step's ResultPath. */
export const SagaLine = z.object({ productId: z.string(), quantity: z.int().check(z.positive()) });
export const SagaState = z.object({
  orderId: z.string(),
  userId: z.string(),
  lines: z.array(SagaLine).check(z.minLength(1)),
  amount: z.int().check(z.minimum(0)),
  currency: z.string(),
  paymentToken: z.string(),
  cartOwnerId: z.optional(z.string()),
  reservation: z.optional(z.object({ orderId: z.string(), expiresAt: z.string() })),
  charge: z.optional(z.object({ chargeId: z.string() })),
  refund: z.optional(z.object({ refunded: z.boolean(), refundId: z.optional(z.string()) })),
  failureReason: z.optional(z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_ERROR', 'RESERVATION_EXPIRED', 'INTERNAL'])),
});
export type SagaState = z.infer<typeof SagaState>;
export type SagaLine = z.infer<typeof SagaLine>;
