/**
 * The per-shard pollers: shard discovery, one loop per shard (one batch in flight at a time, so a shard's
 * records are handled in order), a child shard started only once its parent is finished, as Lambda does.
 */
import type { BatchHandler } from './batching';
import type { Checkpoints } from './checkpoints';
import { backoff, sleep } from './sleep';
import { IteratorExpired, RecordsTrimmed, type StartPosition } from './sources';
import type { MappingContext, ShardState } from './types';

/** Where a shard's loop is reading, and what it holds. */
interface Cursor {
  position: StartPosition;
  iterator: string | undefined;
  needIterator: boolean;
  /** When the oldest buffered record was read, for the batching window. */
  bufferSince: number;
  /** Read errors in a row, for the back-off. */
  errors: number;
}

export class ShardPoller {
  readonly shards = new Map<string, ShardState>();
  private readonly loops = new Set<Promise<void>>();
  private initialListing = true;
  private discoveredAt = 0;

  constructor(
    private readonly ctx: MappingContext,
    private readonly checkpoints: Checkpoints,
    private readonly batches: BatchHandler,
  ) {}

  /** Lists the shards, adds the new ones and starts those that are ready. */
  async discover() {
    const start = this.ctx.nextTick();
    const listed = await this.ctx.source.listShards();
    for (const s of listed) {
      if (this.shards.has(s.shardId)) continue;
      const known = this.checkpoints.savedFor(s.shardId);
      this.shards.set(s.shardId, {
        shardId: s.shardId,
        ...(s.parentShardId ? { parentShardId: s.parentShardId } : {}),
        ...(known?.sequenceNumber ? { checkpoint: known.sequenceNumber } : {}),
        finished: known?.finished ?? false,
        started: false,
        inFlight: false,
        buffer: [],
        caughtUpAt: 0,
      });
    }
    this.startReadyShards();
    this.initialListing = false;
    this.discoveredAt = start;
  }

  /** Lists shards every discoveryIntervalMs until the mapping stops. */
  async discoverUntilStopped() {
    const { stopping } = this.ctx;
    while (!stopping.aborted) {
      await sleep(this.ctx.settings.discoveryIntervalMs, stopping);
      if (stopping.aborted) break;
      try {
        await this.discover();
      } catch (e) {
        this.ctx.report(e, 'listing shards');
      }
    }
  }

  persist(): Promise<void> {
    return this.checkpoints.persist(this.shards.values());
  }

  /** Settles once every shard loop has ended (after stop). */
  async stopped() {
    await Promise.allSettled([...this.loops]);
  }

  async idle(timeoutMs: number) {
    const since = this.ctx.nextTick();
    const deadline = Date.now() + timeoutMs;
    // A fresh listing makes sure shards created since are included.
    await this.discover();
    for (;;) {
      const busy = [...this.shards.values()].filter(
        (s) => !s.finished && (s.inFlight || s.buffer.length > 0 || s.caughtUpAt < since),
      );
      if (!busy.length && this.discoveredAt >= since) return;
      if (this.ctx.stopping.aborted) throw new Error('event source mapping stopped');
      if (Date.now() > deadline)
        throw new Error(
          `event source mapping not idle after ${timeoutMs} ms (busy: ${busy.map((s) => s.shardId).join(', ')})`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Starts every shard whose parent is finished (or unknown, e.g. trimmed away). */
  private startReadyShards() {
    for (const shard of this.shards.values()) {
      if (shard.started || shard.finished) continue;
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      if (parent && !parent.finished) continue;
      shard.started = true;
      const loop = this.runShard(shard).catch((e) => this.ctx.report(e, `shard ${shard.shardId}`));
      this.loops.add(loop);
      void loop.finally(() => this.loops.delete(loop));
    }
  }

  private startPosition(shard: ShardState): StartPosition {
    if (shard.checkpoint) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.checkpoint };
    // Shards found after the first listing (children of a split or a roll-over) are read from their start.
    return this.checkpoints.savedFor(shard.shardId) || !this.initialListing
      ? { type: 'TRIM_HORIZON' }
      : { type: this.ctx.options.startingPosition ?? 'TRIM_HORIZON' };
  }

  private async runShard(shard: ShardState) {
    const { stopping, settings } = this.ctx;
    const cursor: Cursor = {
      position: this.startPosition(shard),
      iterator: undefined,
      needIterator: true,
      bufferSince: 0,
      errors: 0,
    };
    while (!stopping.aborted) {
      try {
        const readStart = this.ctx.nextTick();
        const { got, closed } = await this.read(shard, cursor);
        cursor.errors = 0;
        if (!got && !shard.buffer.length) shard.caughtUpAt = readStart;
        const windowLeft = settings.windowMs - (Date.now() - cursor.bufferSince);
        if (shard.buffer.length && (shard.buffer.length >= settings.batchSize || windowLeft <= 0 || closed)) {
          if (!(await this.deliverBuffered(shard, cursor))) return;
          continue;
        }
        if (closed && !shard.buffer.length) {
          shard.finished = true;
          await this.persist();
          this.startReadyShards();
          return;
        }
        const { batchSize, pollIntervalMs } = settings;
        await sleep(
          got && shard.buffer.length < batchSize
            ? Math.min(windowLeft, 20)
            : shard.buffer.length
              ? Math.min(windowLeft, pollIntervalMs)
              : pollIntervalMs,
          stopping,
        );
      } catch (e) {
        await this.recoverFromReadError(shard, cursor, e);
      }
    }
  }

  /** Reads into the shard's buffer (up to batchSize); `closed` once the shard has no more records. */
  private async read(shard: ShardState, cursor: Cursor): Promise<{ got: number; closed: boolean }> {
    const { source, settings } = this.ctx;
    let closed = false;
    if (cursor.needIterator) {
      cursor.iterator = await source.getIterator(shard.shardId, cursor.position);
      cursor.needIterator = false;
      closed = !cursor.iterator;
    }
    let got = 0;
    if (cursor.iterator && shard.buffer.length < settings.batchSize) {
      const page = await source.getRecords(shard.shardId, cursor.iterator, settings.batchSize - shard.buffer.length);
      got = page.records.length;
      if (got && !shard.buffer.length) cursor.bufferSince = Date.now();
      shard.buffer.push(...page.records);
      const lastRead = page.records[page.records.length - 1];
      if (lastRead) cursor.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastRead.sequenceNumber };
      cursor.iterator = page.nextIterator;
      closed = !cursor.iterator;
    } else if (!cursor.iterator) {
      closed = true;
    }
    return { got, closed };
  }

  /** Hands one batch of the buffer over and checkpoints after it; false when stopped before it was handled. */
  private async deliverBuffered(shard: ShardState, cursor: Cursor): Promise<boolean> {
    const batch = shard.buffer.splice(0, this.ctx.settings.batchSize);
    shard.inFlight = true;
    const done = await this.batches.process(shard, batch).finally(() => (shard.inFlight = false));
    if (!done) return false;
    this.ctx.stats.batches++;
    shard.checkpoint = batch[batch.length - 1]!.sequenceNumber;
    if (shard.buffer.length) cursor.bufferSince = Date.now();
    await this.persist();
    return true;
  }

  private async recoverFromReadError(shard: ShardState, cursor: Cursor, e: unknown) {
    if (e instanceof IteratorExpired) {
      cursor.needIterator = true;
      return;
    }
    // DynamoDB Local answers TrimmedDataAccessException to a read of a new table's stream around its first
    // writes (a known emulator bug: aws/aws-sdk-java#2923); a fresh iterator at the same position reads on.
    // Reported only when it happens twice running, as a stream really trimmed past the position would.
    if (!(e instanceof RecordsTrimmed && cursor.errors === 0)) this.ctx.report(e, `reading ${shard.shardId}`);
    cursor.needIterator = true;
    // Records read but not yet delivered are read again from the last checkpoint.
    shard.buffer.length = 0;
    cursor.position = shard.checkpoint
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.checkpoint }
      : cursor.position;
    const { retryDelayMs, maxRetryDelayMs } = this.ctx.settings;
    await sleep(backoff(retryDelayMs, cursor.errors++, maxRetryDelayMs), this.ctx.stopping);
  }
}
