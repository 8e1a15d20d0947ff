import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { salesFactsFromOrder, validateSalesFact, type SalesFactRow } from '../domain/load';
import { isTestData } from '../../shared/test-data';

/**
 * What an orders-table stream record means to the warehouse. Pure: no I/O, so the same mapping serves the
 * Lambda (event source mapping) and the local poller, and is tested without either.
 *
 * - SALE: the order became CONFIRMED in this record (old image not CONFIRMED, new image CONFIRMED), or was
 *   inserted already CONFIRMED (the history replay writes orders that way).
 * - REFUND: the order became CANCELLED with its payment REFUNDED after having been confirmed (old image
 *   CONFIRMED, or the order's history shows a CONFIRMED entry — a sale was counted for it) and the old image
 *   was not already cancelled and refunded. An order cancelled before it was ever confirmed (payment declined,
 *   reservation expired, a charge compensated before confirmation) had no sale counted, so it refunds nothing.
 * - Anything else (PENDING inserts, updates that change no status, REMOVE) loads nothing, and so does an order
 *   marked as test data (a replayed fixture's, functions/shared/test-data.ts), whatever its status.
 * - An old order the archive job moved out of the table (functions/orders/archive) arrives as a REMOVE, which loads
 *   nothing: moving it to the archive is no sale and no refund, and the warehouse keeps what it loaded for it. No
 *   route deletes an order, so a REMOVE is never a cancellation. (`archived` stubs, which an earlier version of the
 *   job wrote in the table's place, load nothing either.)
 *
 * Fact event ids come from salesFactsFromOrder (`orderId#line#KIND`), so a redelivered record, or a second
 * record describing the same transition, maps to the same ids and the load's NOT EXISTS drops it.
 */

/** The parts of a stored order the warehouse needs; other attributes are ignored, not rejected. */
const OrderImage = z.object({
  orderId: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
  status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']),
  items: z.array(
    z.object({
      productId: z.string().check(z.minLength(1)),
      name: z.optional(z.string()),
      quantity: z.int().check(z.positive()),
      unitPrice: z.int().check(z.nonnegative()),
      lineTotal: z.int().check(z.nonnegative()),
      // The history replay marks a line that bills no goods (domain/load.ts OrderLine); checkout's lines have no mark.
      merchandise: z.optional(z.boolean()),
    }),
  ),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  payment: z.optional(z.object({ status: z.string() })),
  history: z.optional(z.array(z.object({ status: z.string(), at: z.string() }))),
  createdAt: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a date-time')),
  updatedAt: z.optional(z.string()),
});
type OrderImage = Omit<z.infer<typeof OrderImage>, 'items'> & {
  items: (z.infer<typeof OrderImage>['items'][number] & { name: string })[];
};

/** The old image only decides whether the transition is new: just its status and payment are read. */
const OldImage = z.object({
  status: z.string(),
  payment: z.optional(z.object({ status: z.string() })),
});

export type OrderLoad = { kind: 'SALE' | 'REFUND'; rows: SalesFactRow[] } | { kind: 'NONE'; rows: [] };

export class MalformedRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedRecordError';
  }
}

const image = (raw: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined =>
  raw === undefined ? undefined : unmarshall(raw);

function parseOrder(value: unknown, which: string, eventId: string | undefined): OrderImage {
  const parsed = OrderImage.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MalformedRecordError(`Stream record ${eventId ?? '?'}: ${which} is not an order (${issues})`);
  }
  // The product name is not a fact column; salesFactsFromOrder's type asks for it.
  return { ...parsed.data, items: parsed.data.items.map((i) => ({ ...i, name: i.name ?? i.productId })) };
}

const refunded = (o: { status: string; payment?: { status: string } }) =>
  o.status === 'CANCELLED' && o.payment?.status === 'REFUNDED';

/** When the refund happened: the last CANCELLED entry of the history, else the image's updatedAt. */
function refundTime(order: OrderImage): string {
  const cancelled = [...(order.history ?? [])]
    .reverse()
    .find((h) => h.status === 'CANCELLED' && !Number.isNaN(Date.parse(h.at)));
  return cancelled?.at ?? order.updatedAt ?? order.createdAt;
}

export function orderLoadFromStreamRecord(record: DynamoDBRecord): OrderLoad {
  const none: OrderLoad = { kind: 'NONE', rows: [] };
  if (record.eventName === 'REMOVE') return none;
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') {
    throw new MalformedRecordError(
      `Stream record ${record.eventID ?? '?'}: unknown eventName ${String(record.eventName)}`,
    );
  }
  let newRaw: Record<string, unknown> | undefined;
  let oldRaw: Record<string, unknown> | undefined;
  try {
    newRaw = image(record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined);
    oldRaw = image(record.dynamodb?.OldImage as Record<string, AttributeValue> | undefined);
  } catch (cause) {
    throw new MalformedRecordError(`Stream record ${record.eventID ?? '?'}: images cannot be unmarshalled`, { cause });
  }
  // The stream must carry both images (NEW_AND_OLD_IMAGES): without them a transition cannot be told apart.
  if (newRaw === undefined)
    throw new MalformedRecordError(
      `Stream record ${record.eventID ?? '?'}: no NewImage (stream view type must be NEW_AND_OLD_IMAGES)`,
    );
  if (record.eventName === 'MODIFY' && oldRaw === undefined) {
    throw new MalformedRecordError(
      `Stream record ${record.eventID ?? '?'}: MODIFY without OldImage (stream view type must be NEW_AND_OLD_IMAGES)`,
    );
  }
  if (isTestData(newRaw) || newRaw.archived === true) return none;
  const order = parseOrder(newRaw, 'NewImage', record.eventID);
  const old = oldRaw === undefined ? undefined : OldImage.safeParse(oldRaw);
  if (old !== undefined && !old.success)
    throw new MalformedRecordError(`Stream record ${record.eventID ?? '?'}: OldImage has no status`);
  const before = old?.data;

  let load: OrderLoad = none;
  if (order.status === 'CONFIRMED' && before?.status !== 'CONFIRMED') {
    load = { kind: 'SALE', rows: salesFactsFromOrder(order, 'SALE') };
  } else if (refunded(order) && !(before && refunded(before))) {
    const wasConfirmed = before?.status === 'CONFIRMED' || (order.history ?? []).some((h) => h.status === 'CONFIRMED');
    if (wasConfirmed) load = { kind: 'REFUND', rows: salesFactsFromOrder(order, 'REFUND', refundTime(order)) };
  }
  // Redshift enforces no CHECK constraint: a bad fact is stopped here, failing only its own record.
  try {
    load.rows.forEach(validateSalesFact);
  } catch (cause) {
    throw new MalformedRecordError(`Stream record ${record.eventID ?? '?'}: ${(cause as Error).message}`, { cause });
  }
  return load;
}
