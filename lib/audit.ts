/**
 * The audit context, as data. Every audited route's function writes its audit events to the audit stream
 * (lib/streams.ts, functions/shared/audit.ts). Two readers take them from there:
 * - the archive: every event to the audit bucket as gzipped JSON lines under `audit/yyyy/mm/dd/` (UTC day of
 *   arrival). In AWS a Firehose delivery stream (lib/contexts/audit.ts); locally lib/local/firehose, from this
 *   same description.
 * - the recorder, a stream consumer like analytics' loaders: every event into the audit table, which
 *   GET /v1/audit reads (90 days, DynamoDB TTL).
 */
import { STREAM_DELIVERY, type StreamConsumer } from './stream-consumer-spec';
import type { BucketKey } from './buckets';
import type { StreamKey } from './streams';

export const auditConsumers: StreamConsumer[] = [
  {
    id: 'recordAudit',
    context: 'audit',
    handler: 'functions/audit/handlers/record-audit.ts',
    summary: 'Audit stream → the audit table (the recent trail GET /v1/audit reads), keyed by event id',
    source: { kind: 'stream', stream: 'audit' },
    batchSize: 100,
    onFailureQueueName: 'audit-stream-failures',
    tables: { audit: 'write' },
    ...STREAM_DELIVERY,
  },
];

/** What an S3 archive of a stream is: where, how compressed, and how often it is flushed. */
export interface StreamArchiveSpec {
  /** Logical name; the delivery stream's physical name is `${prefix}-${name}`. */
  name: string;
  stream: StreamKey;
  bucket: BucketKey;
  /** In Firehose's custom-prefix syntax; the local archive understands the `!{timestamp:…}` parts used here. */
  prefix: string;
  /** Where records that could not be delivered go (Firehose requires one with a timestamp prefix). */
  errorOutputPrefix: string;
  compression: 'GZIP';
  fileExtension: string;
  /** Firehose's buffering hints: an object is written when either is reached. */
  bufferingIntervalSeconds: number;
  bufferingSizeMiB: number;
}

export const auditArchive: StreamArchiveSpec = {
  name: 'audit-archive',
  stream: 'audit',
  bucket: 'audit',
  prefix: 'audit/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
  errorOutputPrefix: 'audit-errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
  compression: 'GZIP',
  fileExtension: '.jsonl.gz',
  bufferingIntervalSeconds: 60,
  bufferingSizeMiB: 5,
};

/** How long the archive stays in S3 Standard before it moves to Glacier (Flexible Retrieval). */
export const AUDIT_ARCHIVE_GLACIER_AFTER_DAYS = 90;
