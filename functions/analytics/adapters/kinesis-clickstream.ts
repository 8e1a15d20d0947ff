import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { ClickEvent, ClickstreamWriter } from '../ports';

/** PutRecords takes at most 500 records per call. */
export const MAX_RECORDS_PER_CALL = 500;

export interface RetryOptions {
  /** Calls per chunk, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff before the n-th retry: base × 2^(n-1), with full jitter (default 50 ms). */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const encoder = new TextEncoder();

/**
 * The clickstream on a Kinesis data stream. Records are partitioned by session, so one session's events
 * stay in order on one shard. PutRecords is not atomic: it answers with a per-record result, and only the
 * records it reports failed (throttled, internal error) are sent again, with backoff, a bounded number of
 * times. The SDK's own retries cover whole-call failures.
 */
export class KinesisClickstream implements ClickstreamWriter {
  constructor(
    private readonly client: Pick<KinesisClient, 'send'>,
    private readonly streamName: string,
    private readonly retry: RetryOptions = {},
  ) {}

  async put(events: readonly ClickEvent[]): Promise<{ failed: ClickEvent[] }> {
    const failed: ClickEvent[] = [];
    for (let i = 0; i < events.length; i += MAX_RECORDS_PER_CALL) {
      failed.push(...(await this.putChunk(events.slice(i, i + MAX_RECORDS_PER_CALL))));
    }
    return { failed };
  }

  private async putChunk(chunk: ClickEvent[]): Promise<ClickEvent[]> {
    const maxAttempts = this.retry.maxAttempts ?? 4;
    const baseDelayMs = this.retry.baseDelayMs ?? 50;
    const sleep = this.retry.sleep ?? defaultSleep;
    let pending = chunk;
    for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 2));
      const records: PutRecordsRequestEntry[] = pending.map((event) => ({
        Data: encoder.encode(JSON.stringify(event)),
        PartitionKey: event.sessionId,
      }));
      const answer = await this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: records }));
      if (!answer.FailedRecordCount) return [];
      // Results are in request order; a failed one carries an ErrorCode instead of a SequenceNumber.
      const results = answer.Records ?? [];
      pending = pending.filter(
        (_, index) => results[index]?.ErrorCode !== undefined || results[index]?.SequenceNumber === undefined,
      );
    }
    return pending;
  }
}
