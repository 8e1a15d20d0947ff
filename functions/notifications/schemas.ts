/**
 * What the notifications context reads: the domain events it is sent (EventBridge's envelope around the detail
 * schemas of functions/events/schemas.ts, the published contract), and the shopper's e-mail preference.
 */
import * as z from 'zod/mini';
import { OrderCancelled, OrderConfirmed } from '../events/schemas';

export const NotifiableEvent = z.discriminatedUnion('detail-type', [
  z.object({ id: z.string(), 'detail-type': z.literal('OrderConfirmed'), detail: OrderConfirmed }),
  z.object({ id: z.string(), 'detail-type': z.literal('OrderCancelled'), detail: OrderCancelled }),
]);
export type NotifiableEvent = z.infer<typeof NotifiableEvent>;
export type OrderConfirmedDetail = z.infer<typeof OrderConfirmed>;
export type OrderCancelledDetail = z.infer<typeof OrderCancelled>;

/** What a handler returns, and the idempotency record keeps: whether the shopper was written to, and why not. */
export type NotificationOutcome =
  { outcome: 'sent'; messageId: string } | { outcome: 'skipped'; reason: 'opted-out' | 'no-address' };
