/**
 * Handling one batch to its end: invoking the handler, ReportBatchItemFailures (retry from the earliest
 * failed record), bisectBatchOnFunctionError, maximumRetryAttempts with back-off, and maximumRecordAgeSeconds.
 */
import type { FailureDestination } from './destinations';
import { backoff, sleep } from './sleep';
import type { SourceRecord } from './sources';
import type { BatchItemFailuresResponse, MappingContext, ShardState } from './types';

type Outcome =
  { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'error'; error: unknown; unhandled: boolean };

/** A part of the batch still to deliver, with the invocations it has failed so far. */
interface Pending {
  records: SourceRecord[];
  attempts: number;
}

export class BatchHandler {
  constructor(
    private readonly ctx: MappingContext,
    private readonly destination: FailureDestination,
  ) {}

  /** Handles one batch to its end; false when stopped before it was. */
  async process(shard: ShardState, records: SourceRecord[]): Promise<boolean> {
    const { stats, stopping, options, settings } = this.ctx;
    const queue: Pending[] = [{ records, attempts: 0 }];
    while (queue.length) {
      if (stopping.aborted) return false;
      const item = queue[0]!;
      const expiry = await this.sendExpired(shard, item);
      if (expiry === 'stopped') return false;
      if (!item.records.length) {
        queue.shift();
        continue;
      }
      const outcome = await this.invoke(item.records);
      if (outcome.kind === 'ok') {
        stats.recordsDelivered += item.records.length;
        queue.shift();
        continue;
      }
      if (outcome.kind === 'error') {
        if (outcome.unhandled) this.ctx.report(outcome.error, `handler (${shard.shardId})`);
        if (outcome.unhandled && options.bisectBatchOnFunctionError && item.records.length > 1) {
          // Splitting does not count toward the retry quota.
          const half = Math.ceil(item.records.length / 2);
          queue.splice(
            0,
            1,
            { records: item.records.slice(0, half), attempts: item.attempts },
            { records: item.records.slice(half), attempts: item.attempts },
          );
          stats.bisections++;
          continue;
        }
      } else {
        // Everything before the earliest failed record is done.
        stats.recordsDelivered += outcome.from;
        item.records = item.records.slice(outcome.from);
      }
      item.attempts++;
      if (settings.maxRetries >= 0 && item.attempts > settings.maxRetries) {
        try {
          await this.destination.send(
            shard.shardId,
            item.records,
            item.attempts,
            outcome.kind === 'error' && outcome.unhandled,
          );
        } catch {
          return false;
        }
        queue.shift();
        continue;
      }
      await sleep(backoff(settings.retryDelayMs, item.attempts - 1, settings.maxRetryDelayMs), stopping);
    }
    return true;
  }

  /** Sends the records past maximumRecordAgeSeconds on and drops them from the item. */
  private async sendExpired(shard: ShardState, item: Pending): Promise<'stopped' | undefined> {
    const { maxAgeMs } = this.ctx.settings;
    if (maxAgeMs < 0) return;
    // A shard's records arrive in order: the expired ones are a prefix.
    const now = Date.now();
    const live = item.records.findIndex((r) => now - r.arrival.getTime() <= maxAgeMs);
    const expired = live === -1 ? item.records.length : live;
    if (expired === 0) return;
    try {
      await this.destination.send(
        shard.shardId,
        item.records.slice(0, expired),
        item.attempts,
        false,
        'RecordAgeExceeded',
      );
    } catch {
      return 'stopped';
    }
    this.ctx.stats.recordsExpired += expired;
    item.records = item.records.slice(expired);
  }

  private async invoke(records: SourceRecord[]): Promise<Outcome> {
    const { stats, options } = this.ctx;
    stats.invocations++;
    let result: unknown;
    try {
      result = await options.handler({ Records: records.map((r) => r.event) });
    } catch (error) {
      stats.failedInvocations++;
      return { kind: 'error', error, unhandled: true };
    }
    if (!options.reportBatchItemFailures || !result || typeof result !== 'object') return { kind: 'ok' };
    const failures = (result as BatchItemFailuresResponse).batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { kind: 'ok' };
    let from = Infinity;
    for (const failure of failures) {
      const index = failure?.itemIdentifier
        ? records.findIndex((r) => r.sequenceNumber === failure.itemIdentifier)
        : -1;
      // As in Lambda: a malformed or unknown identifier fails the whole batch.
      if (index < 0) {
        stats.failedInvocations++;
        return {
          kind: 'error',
          error: new Error(
            `batchItemFailures names ${JSON.stringify(failure?.itemIdentifier)}, not a record of the batch`,
          ),
          unhandled: false,
        };
      }
      from = Math.min(from, index);
    }
    stats.partialFailures++;
    return { kind: 'partial', from };
  }
}
