/**
 * The recommendations context's purchase history, kept from the orders context's domain events instead of read
 * from its table: what a shopper bought is theirs to predict from a second after it happened, and the orders
 * table (its keys, its archive) stays the orders context's own. EventBridge may deliver an event twice or out of
 * order; every change here is an upsert the store applies so that any order of arrival ends in the same record:
 * the placing time comes from OrderPlaced whenever it arrives, and a cancellation is final.
 */
import * as z from 'zod/mini';
import { OrderCancelled, OrderConfirmed, OrderPlaced } from '../../events/schemas';
import type { PurchaseLine } from '../ports';

export type PurchasedLine = Omit<PurchaseLine, 'at' | 'orderId'>;

export type PurchaseChange =
  | { kind: 'placed'; orderId: string; userId: string; placedAt: string; lines: PurchasedLine[] }
  | { kind: 'confirmed'; orderId: string; userId: string; at: string; lines: PurchasedLine[] }
  | { kind: 'cancelled'; orderId: string; userId: string; at: string };

/** Where the changes are kept, and read back newest first. */
export interface PurchaseRecords {
  apply(change: PurchaseChange): Promise<void>;
}

/** The orders events this context keeps, by detail type: the rule's pattern names the same ones. */
export const PURCHASE_EVENT_TYPES = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled'] as const;
type PurchaseEventType = (typeof PURCHASE_EVENT_TYPES)[number];

export class UnexpectedEventError extends Error {
  override name = 'UnexpectedEventError';
}

/** The unit price is kept for the shopper's segment (its monetary feature). */
const linesOf = (items: { productId: string; quantity: number; unitPrice: number }[]): PurchasedLine[] =>
  items.map(({ productId, quantity, unitPrice }) => ({ productId, quantity, unitPrice }));

/** An orders event's detail → the change to the shopper's history; a detail off its schema is refused. */
export function purchaseChange(detailType: string, detail: unknown): PurchaseChange {
  if (!(PURCHASE_EVENT_TYPES as readonly string[]).includes(detailType))
    throw new UnexpectedEventError(`Not an orders event this context keeps: ${detailType}`);
  const parsed = (schema: z.ZodMiniType) => {
    const result = z.safeParse(schema, detail);
    if (!result.success) throw new UnexpectedEventError(`${detailType} detail off its schema: ${result.error.message}`);
    return result.data;
  };
  switch (detailType as PurchaseEventType) {
    case 'OrderPlaced': {
      const d = parsed(OrderPlaced) as z.infer<typeof OrderPlaced>;
      return { kind: 'placed', orderId: d.orderId, userId: d.userId, placedAt: d.at, lines: linesOf(d.items) };
    }
    case 'OrderConfirmed': {
      const d = parsed(OrderConfirmed) as z.infer<typeof OrderConfirmed>;
      return { kind: 'confirmed', orderId: d.orderId, userId: d.userId, at: d.at, lines: linesOf(d.items) };
    }
    case 'OrderCancelled': {
      const d = parsed(OrderCancelled) as z.infer<typeof OrderCancelled>;
      return { kind: 'cancelled', orderId: d.orderId, userId: d.userId, at: d.at };
    }
  }
}

export async function recordPurchaseEvent(
  event: { detailType: string; detail: unknown },
  records: PurchaseRecords,
): Promise<PurchaseChange> {
  const change = purchaseChange(event.detailType, event.detail);
  await records.apply(change);
  return change;
}
