import * as z from 'zod/mini';
import { Id, MinorUnits, text } from '../shared/schemas';
import { SessionId } from '../cart/schemas';

export const EVENT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'search'] as const;
export const MAX_EVENTS_PER_BATCH = 500;

/** Events about one product name it; a search names what was searched for. */
const needsProduct = new Set<string>(['product_view', 'add_to_cart']);

export const ClickEventInput = z
  .strictObject({
    type: z.enum(EVENT_TYPES),
    sessionId: SessionId,
    productId: z.optional(Id),
    query: z.optional(text(200)),
    value: z.optional(MinorUnits),
    /** When it happened on the client; the server's time when absent. */
    at: z.optional(z.iso.datetime({ offset: true, message: 'Must be an ISO 8601 date-time, e.g. 2026-11-25T12:00:00Z' })),
  })
  .check(
    z.refine((e) => !needsProduct.has(e.type) || e.productId !== undefined, { message: 'Is required for this event type', path: ['productId'] }),
    z.refine((e) => e.type !== 'search' || e.query !== undefined, { message: 'Is required for a search', path: ['query'] }),
  );
export type ClickEventInput = z.infer<typeof ClickEventInput>;

/** The whole batch is validated before anything is written: one bad event rejects it all (API.md). */
export const PutEvents = z.strictObject({
  events: z.array(ClickEventInput).check(
    z.minLength(1, 'Must hold at least 1 event'),
    z.maxLength(MAX_EVENTS_PER_BATCH, `Must hold at most ${MAX_EVENTS_PER_BATCH} events`),
  ),
});
export type PutEvents = z.infer<typeof PutEvents>;

export const EventsAccepted = z.object({ accepted: z.int() });
