import * as z from 'zod/mini';
import { Cursor, Id, Limit } from '../shared/schemas';

const Instant = z.string().check(
  z.regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/,
    'Must be an ISO 8601 date or date-time',
  ),
  z.refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a real date'),
);

/** GET /v1/audit: the recent trail, optionally of one resource and/or one user, between two instants. */
export const AuditQuery = z
  .strictObject({
    resourceId: z.optional(Id),
    userId: z.optional(Id),
    from: z.optional(Instant),
    to: z.optional(Instant),
    limit: Limit,
    cursor: Cursor,
  })
  .check(
    z.refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
      message: '`to` must not be before `from`',
      path: ['to'],
    }),
  );
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntry = z.object({
  at: z.string(),
  userId: z.string(),
  groups: z.array(z.string()),
  route: z.string(),
  resourceId: z.optional(z.string()),
  requestId: z.string(),
  status: z.int(),
  changes: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({ items: z.array(AuditEntry), nextCursor: z.optional(z.string()) });
