import type { KinesisStreamRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { EVENT_TYPES } from '../schemas';
import type { UserBehaviorRow } from '../domain/load';
import { isTestData } from '../../shared/test-data';
import { MalformedRecordError } from './orders-stream-records';

/**
 * One clickstream record → one user_behavior row. The producer (domain/events.ts, adapters/kinesis-clickstream.ts)
 * writes each stamped event as UTF-8 JSON; Lambda hands the data over base64-encoded. The row is keyed by the
 * event's own eventId (stamped once at POST /v1/events), not the Kinesis sequence number, so a client's resent
 * batch that landed twice on the stream still counts once, as does a redelivered or replayed shard.
 */
const StreamedClickEvent = z.object({
  eventId: z.string().check(z.minLength(1), z.maxLength(160)),
  type: z.enum(EVENT_TYPES),
  sessionId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** Not stamped by the producer today; taken when present. */
  userId: z.optional(z.nullable(z.string().check(z.maxLength(128)))),
  productId: z.optional(z.string().check(z.maxLength(64))),
  query: z.optional(z.string().check(z.maxLength(512))),
  value: z.optional(z.int().check(z.nonnegative())),
  /** How many products a search found: stamped only by the search route on its own `search` events. */
  results: z.optional(z.int().check(z.nonnegative(), z.maximum(2 ** 31 - 1))),
  at: z.iso.datetime({ offset: true }),
});

const describe = (record: KinesisStreamRecord) =>
  `Kinesis record ${record.kinesis?.sequenceNumber ?? record.eventID ?? '?'}`;

function decode(record: KinesisStreamRecord): unknown {
  try {
    return JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  } catch (cause) {
    throw new MalformedRecordError(`${describe(record)}: data is not base64 JSON`, { cause });
  }
}

function toRow(json: unknown, where: string): UserBehaviorRow {
  const parsed = StreamedClickEvent.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MalformedRecordError(`${where}: not a clickstream event (${issues})`);
  }
  const e = parsed.data;
  return {
    eventId: e.eventId,
    sessionId: e.sessionId,
    userId: e.userId ?? null,
    eventType: e.type,
    productId: e.productId ?? null,
    query: e.query ?? null,
    valuePence: e.value ?? null,
    resultCount: e.results ?? null,
    eventTs: new Date(e.at).toISOString(),
  };
}

export function userBehaviorFromKinesisRecord(record: KinesisStreamRecord): UserBehaviorRow {
  return toRow(decode(record), describe(record));
}

/**
 * What the clickstream loader loads for one record: its row, or none for an event marked as test data (a
 * replayed fixture's, functions/shared/test-data.ts). POST /v1/events cannot mark one: its schema is strict.
 */
export function userBehaviorRowsFromKinesisRecord(record: KinesisStreamRecord): UserBehaviorRow[] {
  const json = decode(record);
  return isTestData(json) ? [] : [toRow(json, describe(record))];
}
