import type { KinesisStreamRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { AuditEvent } from '../../shared/audit-event';

/** An audit event as the HTTP stack writes it to the stream (functions/shared/audit-publisher.ts): a JSON line. */
const StreamedAuditEvent = z.object({
  eventId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9-]+$/)),
  at: z.iso.datetime(),
  userId: z.string().check(z.minLength(1), z.maxLength(128)),
  groups: z.array(z.string()),
  route: z.string().check(z.minLength(1), z.maxLength(256)),
  resourceId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  requestId: z.string().check(z.minLength(1), z.maxLength(256)),
  status: z.int(),
  changes: z.record(z.string(), z.unknown()),
});

export class MalformedAuditRecord extends Error {
  override name = 'MalformedAuditRecord';
}

export function auditEventOf(record: KinesisStreamRecord): AuditEvent {
  const where = `Kinesis record ${record.kinesis?.sequenceNumber ?? '?'}`;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  } catch {
    throw new MalformedAuditRecord(`${where}: data is not a JSON line`);
  }
  const parsed = StreamedAuditEvent.safeParse(json);
  if (!parsed.success)
    throw new MalformedAuditRecord(
      `${where}: not an audit event (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`,
    );
  return parsed.data;
}
