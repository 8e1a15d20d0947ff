/**
 * The emulator's queues and their messages: finding a queue by URL or ARN, receiving (visibility timeouts and
 * redrive to a dead-letter queue), deleting, waking long polls, and keeping the data file up to date.
 *
 * With a data file, a request that changed a queue is answered only after the whole state is written and
 * flushed to disk (`persistIfChanged`, called before the answer), so what SQS said it accepted (a dead letter)
 * survives a kill -9 or a power cut. Changes no request waits on (expired messages dropped by a sweep) are
 * written a moment later.
 */
import { randomUUID } from 'node:crypto';
import { invalidParameter, nonExistentQueue, SqsError } from './errors';
import { readDataFile, writeDataFile } from './data-file';
import { decodeReceipt, messageSnapshot, messageState } from './messages';
import { describeAttributes, intAttribute } from './queue-attributes';
import { SQS_ACCOUNT_ID, type Queue, type RedrivePolicy, type SqsQueueSnapshot, type StoredMessage } from './types';

const PERSIST_DEBOUNCE_MS = 200;

export const queueArn = (q: Queue) => `arn:aws:sqs:${q.region}:${SQS_ACCOUNT_ID}:${q.name}`;

export interface QueueStoreOptions {
  /** Where queues and messages are kept across restarts; in memory only when absent. */
  dataFile?: string;
  /** Aborted when the emulator stops: no delayed write is scheduled after that (stopping writes the file). */
  stopping: AbortSignal;
}

export class QueueStore {
  /** The emulator's address once it listens: queue URLs are made of it. */
  endpoint = '';
  private readonly queues = new Map<string, Queue>();
  /** Long polls waiting on a queue, by queue name. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private persistTimer: NodeJS.Timeout | undefined;
  /** Queues changed since the data file was last written. */
  private unsaved = false;

  /** Reads the data file back, if there is one. */
  constructor(private readonly options: QueueStoreOptions) {
    if (options.dataFile) for (const q of readDataFile(options.dataFile)) this.queues.set(q.name, q);
  }

  // --- queues -------------------------------------------------------------------------------------------

  url(q: Queue): string {
    return `${this.endpoint}/${SQS_ACCOUNT_ID}/${q.name}`;
  }

  named(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  /** Whether `q` is still the queue of its name (not deleted, nor deleted and created again). */
  holds(q: Queue): boolean {
    return this.queues.get(q.name) === q;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  add(q: Queue): void {
    this.queues.set(q.name, q);
    this.changed(q);
  }

  remove(q: Queue): void {
    this.queues.delete(q.name);
    this.changed(q);
  }

  byUrl(url: string): Queue {
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch {
      throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 'InvalidAddress', 404);
    }
    const [account, name, ...rest] = pathname.split('/').filter(Boolean);
    const q = account === SQS_ACCOUNT_ID && name && rest.length === 0 ? this.queues.get(name) : undefined;
    if (!q) throw nonExistentQueue();
    return q;
  }

  byArn(arn: string): Queue | undefined {
    const m = /^arn:aws[\w-]*:sqs:[\w-]+:(\d{12}):([\w-]{1,80})$/.exec(arn);
    return m && m[1] === SQS_ACCOUNT_ID ? this.queues.get(m[2]!) : undefined;
  }

  redrivePolicy(q: Queue): RedrivePolicy | undefined {
    return q.attributes.RedrivePolicy ? (JSON.parse(q.attributes.RedrivePolicy) as RedrivePolicy) : undefined;
  }

  /** GetQueueAttributes' answer, after dropping expired messages so that the counts are true. */
  attributes(q: Queue, names: string[]): Record<string, string> {
    const now = Date.now();
    this.sweep(q, now);
    return describeAttributes(q, queueArn(q), names, now);
  }

  /** What every queue holds right now. */
  snapshot(): SqsQueueSnapshot[] {
    const now = Date.now();
    return this.all().map((q) => ({
      name: q.name,
      url: this.url(q),
      arn: queueArn(q),
      attributes: this.attributes(q, ['All']),
      messages: [...q.messages.values()].map((m) => messageSnapshot(m, now)),
    }));
  }

  // --- messages -----------------------------------------------------------------------------------------

  /** Takes up to `max` visible messages, making them invisible for `visibility` seconds; redrives on the way. */
  take(q: Queue, max: number, visibility: number): StoredMessage[] {
    const now = Date.now();
    this.sweep(q, now);
    const policy = this.redrivePolicy(q);
    const deadLetterQueue = policy && this.byArn(policy.deadLetterTargetArn);
    const taken: StoredMessage[] = [];
    for (const m of q.messages.values()) {
      if (taken.length >= max) break;
      if (messageState(m, now) !== 'visible') continue;
      if (policy && deadLetterQueue && deadLetterQueue !== q && m.receiveCount >= policy.maxReceiveCount) {
        q.messages.delete(m.id);
        Object.assign(m, { delayUntil: 0, invisibleUntil: 0, receipt: undefined, deadLetterSourceArn: queueArn(q) });
        deadLetterQueue.messages.set(m.id, m);
        this.changed(deadLetterQueue);
        this.changed(q);
        continue;
      }
      m.receiveCount += 1;
      m.firstReceiveAt ??= now;
      m.invisibleUntil = now + visibility * 1000;
      m.receipt = randomUUID();
      taken.push(m);
    }
    if (taken.length) this.changed(q);
    return taken;
  }

  changeVisibility(q: Queue, handle: string, seconds: number): void {
    const { id, nonce } = decodeReceipt(q, handle);
    const m = q.messages.get(id);
    const now = Date.now();
    if (!m || m.receipt !== nonce) {
      throw invalidParameter(
        'ReceiptHandle',
        handle,
        'Message does not exist or is not available for visibility timeout change',
      );
    }
    if (messageState(m, now) !== 'in-flight') {
      throw new SqsError(
        'MessageNotInflight',
        'The message referred to is not in flight.',
        'AWS.SimpleQueueService.MessageNotInflight',
      );
    }
    m.invisibleUntil = now + seconds * 1000;
    this.changed(q);
  }

  /** Deletes only with the latest receipt handle; an older one succeeds and deletes nothing, as in SQS. */
  deleteMessage(q: Queue, handle: string): void {
    const { id, nonce } = decodeReceipt(q, handle);
    const m = q.messages.get(id);
    if (m && m.receipt === nonce) {
      q.messages.delete(id);
      this.changed(q);
    }
  }

  /** Drops messages older than the queue's retention period. */
  private sweep(q: Queue, now: number): void {
    const oldest = now - intAttribute(q, 'MessageRetentionPeriod') * 1000;
    let dropped = false;
    for (const m of q.messages.values()) {
      if (m.sentAt <= oldest) {
        q.messages.delete(m.id);
        dropped = true;
      }
    }
    if (dropped) this.schedulePersist();
  }

  // --- long polls ---------------------------------------------------------------------------------------

  /** Wakes long polls on the queue and marks the data file out of date (the request writes it before answering). */
  changed(q: Queue): void {
    for (const wake of [...(this.waiters.get(q.name) ?? [])]) wake();
    this.schedulePersist();
  }

  /** Resolves when the queue changes, at `until`, or on abort, whichever comes first. */
  sleep(name: string, until: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let set = this.waiters.get(name);
      if (!set) this.waiters.set(name, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(name) === set) this.waiters.delete(name);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      set.add(done);
      signal.addEventListener('abort', done);
    });
  }

  // --- persistence --------------------------------------------------------------------------------------

  /** Writes the data file now if anything changed since it was last written: before a request is answered. */
  persistIfChanged(): void {
    if (this.unsaved) this.persist();
  }

  /** Writes the whole state to the data file, synchronously and durably (./data-file.ts). */
  persist(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (!this.options.dataFile) return;
    writeDataFile(this.options.dataFile, this.queues.values());
    this.unsaved = false;
  }

  /** For changes no request waits on (expired messages dropped by a sweep). */
  private schedulePersist(): void {
    this.unsaved = true;
    if (!this.options.dataFile || this.persistTimer || this.options.stopping.aborted) return;
    this.persistTimer = setTimeout(() => {
      try {
        this.persist();
      } catch (e) {
        console.error(`sqs emulator: could not write ${this.options.dataFile}`, e);
      }
    }, PERSIST_DEBOUNCE_MS);
  }
}
