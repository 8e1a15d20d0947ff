/**
 * Reading the recent audit trail (GET /v1/audit), newest first, a page at a time: from one resource's or one
 * user's partition, or — unfiltered — from the UTC days' partitions, latest day first. A page's cursor is the
 * position of its last event (its `atId`), bound to the query's filters.
 */
import type { AuditEvent } from '../../shared/audit-event';
import { decodeCursor, encodeCursor, type Page } from '../../shared/pagination';
import { invalid } from '../../shared/errors';
import type { AuditDeps, TrailPartition } from '../ports';
import type { AuditEntry, AuditQuery } from '../schemas';

/** How long the queryable trail keeps an event (DynamoDB TTL); the S3 archive keeps them all. */
export const AUDIT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

export const atIdOf = (event: Pick<AuditEvent, 'at' | 'eventId'>) => `${event.at}#${event.eventId}`;
export const dayOf = (iso: string) => iso.slice(0, 10);

/** When the queryable trail forgets an event (epoch seconds, DynamoDB TTL). */
export const expiryOf = (event: Pick<AuditEvent, 'at'>) =>
  Math.floor((Date.parse(event.at) + AUDIT_RETENTION_DAYS * DAY_MS) / 1000);

const scopeOf = (q: AuditQuery) => `r:${q.resourceId ?? ''}|u:${q.userId ?? ''}`;
const ATID = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9-]{1,64}$/;

export async function listAudit(q: AuditQuery, deps: AuditDeps): Promise<Page<AuditEntry>> {
  const now = deps.clock.now().getTime();
  const from = new Date(q.from ? Date.parse(q.from) : now - AUDIT_RETENTION_DAYS * DAY_MS).toISOString();
  const to = new Date(q.to ? Date.parse(q.to) : now).toISOString();
  const cursor = decodeCursor(q.cursor, ['atId', 'scope'], { scope: scopeOf(q) });
  if (cursor && !ATID.test(cursor.atId))
    throw invalid('Cursor is not valid', [{ path: 'cursor', message: 'Not a cursor this API issued for this query' }]);
  // `~` sorts after every event id: the bound takes in the events of the instant `to` itself. A cursor carries on
  // below its event, but never past `to`: replayed with an earlier `to`, the window wins.
  const toBound = `${to}#~`;
  const resumes = cursor !== undefined && cursor.atId < toBound;
  const high = resumes ? cursor.atId : toBound;
  // A `from` later than the upper bound (a future `from` and no `to`) selects nothing; DynamoDB would refuse the range.
  if (from > high) return { items: [] };
  const items: AuditEvent[] = [];
  for (const partition of partitionsOf(q, from, high, now)) {
    const remaining = q.limit - items.length;
    items.push(
      ...(await deps.trail.read({
        partition,
        lowAtId: from,
        highAtId: high,
        excludeHigh: resumes,
        ...(q.resourceId && q.userId ? { userId: q.userId } : {}),
        limit: remaining,
      })),
    );
    if (items.length >= q.limit) break;
  }
  const page = items.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor =
    page.length === q.limit && last ? encodeCursor({ atId: atIdOf(last), scope: scopeOf(q) }) : undefined;
  return { items: page.map(entryOf), ...(nextCursor ? { nextCursor } : {}) };
}

/**
 * The partitions to read, newest first. Unfiltered, the UTC days from the upper bound's down to the lower bound's,
 * within the retention and no later than tomorrow: older events are gone from the table, and a far `from` or `to`
 * must not cost a query per day of it.
 */
function partitionsOf(q: AuditQuery, from: string, high: string, now: number): TrailPartition[] {
  if (q.resourceId) return [{ by: 'resource', value: q.resourceId }];
  if (q.userId) return [{ by: 'user', value: q.userId }];
  const midnight = (iso: string) => Date.parse(`${dayOf(iso)}T00:00:00.000Z`);
  const oldest = Math.max(midnight(from), midnight(new Date(now - (AUDIT_RETENTION_DAYS + 1) * DAY_MS).toISOString()));
  const latest = Math.min(midnight(high), midnight(new Date(now + DAY_MS).toISOString()));
  const days: TrailPartition[] = [];
  for (let day = latest; day >= oldest; day -= DAY_MS)
    days.push({ by: 'day', value: dayOf(new Date(day).toISOString()) });
  return days;
}

const entryOf = (e: AuditEvent): AuditEntry => ({
  at: e.at,
  userId: e.userId,
  groups: e.groups,
  route: e.route,
  ...(e.resourceId ? { resourceId: e.resourceId } : {}),
  requestId: e.requestId,
  status: e.status,
  changes: e.changes,
});
