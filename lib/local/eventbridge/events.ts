/**
 * PutEvents entries as EventBridge checks them, one by one (a bad entry fails alone, with its code, and the
 * others go through), and the event each good one becomes on its bus.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/aws-json';
import { EVENTBRIDGE_ACCOUNT_ID, type BusEvent } from './types';

/** EventBridge's limits: entries per call, and the size of a call's entries. */
export const MAX_ENTRIES = 10;
export const MAX_ENTRIES_BYTES = 256 * 1024;

export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  Time?: unknown;
  EventBusName?: unknown;
}

export type EntryOutcome =
  { ok: true; bus: string; event: BusEvent } | { ok: false; ErrorCode: string; ErrorMessage: string };

const failed = (ErrorCode: string, ErrorMessage: string): EntryOutcome => ({ ok: false, ErrorCode, ErrorMessage });

/** The entries of a call, refused whole only when the call itself is malformed (as AWS's ValidationException). */
export function entriesOf(body: Record<string, unknown>): PutEventsEntry[] {
  const entries = body.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES)
    throw new ApiError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries`);
  if (Buffer.byteLength(JSON.stringify(entries)) > MAX_ENTRIES_BYTES)
    throw new ApiError(
      'ValidationException',
      `Total size of the entries in the request is over the limit (${MAX_ENTRIES_BYTES} bytes)`,
    );
  return entries as PutEventsEntry[];
}

/** The ISO time EventBridge writes (to the second); an entry's own Time is epoch seconds in the JSON protocol. */
function eventTime(time: unknown, now: Date): string | undefined {
  const at = time === undefined ? now : typeof time === 'number' ? new Date(time * 1000) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

export function eventOf(entry: PutEventsEntry, region: string, now: Date): EntryOutcome {
  const { Source, DetailType, Detail } = entry;
  if (typeof Source !== 'string' || Source === '')
    return failed('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
  if (Source.startsWith('aws.'))
    return failed('NotAuthorizedForSourceException', `Not authorized for the source ${Source}.`);
  if (typeof DetailType !== 'string' || DetailType === '')
    return failed('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
  if (typeof Detail !== 'string')
    return failed('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
  let detail: unknown;
  try {
    detail = JSON.parse(Detail);
  } catch {
    return failed('MalformedDetail', 'Detail is malformed.');
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    return failed('MalformedDetail', 'Detail is malformed.');
  const resources = entry.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))
    return failed('InvalidArgument', 'Parameter Resources is not valid. Reason: Resources must be strings.');
  const time = eventTime(entry.Time, now);
  if (!time) return failed('InvalidArgument', 'Parameter Time is not valid.');
  const bus =
    typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? busName(entry.EventBusName) : 'default';
  const event: BusEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': DetailType,
    source: Source,
    account: EVENTBRIDGE_ACCOUNT_ID,
    time,
    region,
    resources: resources,
    detail: detail as Record<string, unknown>,
  };
  return { ok: true, bus, event };
}

/** A bus is named by its name or its ARN (`arn:aws:events:…:event-bus/<name>`). */
export const busName = (nameOrArn: string) => nameOrArn.replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
