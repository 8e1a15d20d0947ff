/**
 * The Kinesis data streams of the platform, as data: CDK builds them (lib/contexts/analytics.ts) and the
 * local substrate creates them in kinesalite (lib/local/kinesis.ts) from this one description.
 */
export interface StreamSpec {
  /** Logical name; the physical name is `${prefix}-${name}`. */
  name: string;
  /** Environment variable through which functions receive the physical name. */
  envVar: string;
  /** Shards created locally (CDK runs the stream on demand). */
  localShards: number;
}

export const streams = {
  /** Shoppers' clickstream (POST /v1/events), partitioned by session. */
  clickstream: { name: 'clickstream', envVar: 'CLICKSTREAM_STREAM', localShards: 2 },
  /**
   * The audit trail: one event per state-changing request (functions/shared/audit.ts), partitioned by request id.
   * Built by the audit context (lib/contexts/audit.ts), read by its consumer and the archive (lib/audit.ts).
   */
  audit: { name: 'audit', envVar: 'AUDIT_STREAM', localShards: 1 },
} satisfies Record<string, StreamSpec>;

export type StreamKey = keyof typeof streams;
/** Producers write (PutRecords); consumers read. */
export type StreamAccess = 'read' | 'write';
