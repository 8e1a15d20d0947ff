import { Worker } from 'node:worker_threads';
import { ENSURE_READER_ROLE, READ_ONLY_AS_READER, WIRE_STATEMENT_BEGIN, WIRE_STATEMENT_END } from './reader-role';
import type { SqlStatement, StatementOutcome } from './types';

/**
 * The emulator's database: PGlite on a worker thread (engine-thread.mjs), reached by messages.
 *
 * Why a thread: PGlite executes on the thread that calls it, synchronously inside each call. Creating a
 * database directory (a fresh `npm start`) blocked the platform's one thread for 6-13 s here — the HTTP edge
 * answered nothing meanwhile, and the health check's own timeout could not fire — and every load of a batch
 * blocked it again for its duration. On its own thread the engine leaves the edge and the pollers responsive.
 *
 * The thread keeps the process alive only while a request is waiting for it, so an engine nobody closed does
 * not hold a finished process open.
 */
export class PgliteEngine {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: { id: number; ok: boolean; result?: unknown; error?: SerializedError }) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      this.idle();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(toError(reply.error!));
    });
    const fail = (error: Error) => {
      this.exited = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new EngineError(`The warehouse thread failed: ${e.message}`)));
    worker.on('exit', () => fail(new EngineError('The warehouse is closed')));
  }

  /** Starts the thread and opens the engine; `dataDir` a directory, or undefined for memory. */
  static async open(options: { dataDir?: string } = {}): Promise<PgliteEngine> {
    const worker = new Worker(new URL('./engine-thread.mjs', import.meta.url), {
      // Plain JavaScript: no TypeScript loader inherited from `npm start` (tsx's hooks cost the thread ~0.4 s of
      // CPU per start, resolving PGlite's modules).
      execArgv: [],
      workerData: {
        dataDir: options.dataDir,
        ensureReaderRole: ENSURE_READER_ROLE,
        readOnlyAsReader: READ_ONLY_AS_READER,
        wireStatementBegin: WIRE_STATEMENT_BEGIN,
        wireStatementEnd: WIRE_STATEMENT_END,
      },
    });
    let detach = (): void => undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: { ready: boolean; error?: SerializedError }) =>
          m.ready ? resolve() : reject(toError(m.error!));
        const onExit = (code: number) =>
          reject(new EngineError(`The warehouse thread exited (${code}) before it was ready`));
        worker.on('message', onMessage).on('error', reject).on('exit', onExit);
        detach = () => void worker.off('message', onMessage).off('error', reject).off('exit', onExit);
      });
    } catch (e) {
      await worker.terminate();
      throw e;
    } finally {
      // Only these: the Worker's own listeners keep its message port working.
      detach();
    }
    const engine = new PgliteEngine(worker);
    engine.idle();
    return engine;
  }

  /**
   * Runs the statements in order: as the reader (a read-only transaction as the reader role), or as the owner,
   * in one transaction when `transaction` (a batch), else each on its own (auto-commit).
   */
  run(
    statements: readonly SqlStatement[],
    options: { asReader: boolean; transaction: boolean },
  ): Promise<StatementOutcome[]> {
    return this.request({ kind: 'run', statements, ...options }) as Promise<StatementOutcome[]>;
  }

  /**
   * A SQL client's extended-protocol messages, up to and including their Sync, run as the reader in a read-only
   * transaction of their own (see engine-thread.mjs); the engine's raw answer to them.
   */
  protocol(messages: Uint8Array): Promise<Uint8Array> {
    return this.request({ kind: 'protocol', messages }) as Promise<Uint8Array>;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await this.request({ kind: 'close' });
    // The engine has flushed and closed: the thread has nothing left to finish.
    await this.worker.terminate();
  }

  private request(message: Record<string, unknown>): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id });
    });
  }

  private idle() {
    if (this.pending.size === 0) this.worker.unref();
  }
}

/** What Postgres reported: the message the Data API's Error carries (with its detail, as Redshift adds it). */
export class EngineError extends Error {
  code?: string;
  /** The statement of a request that failed (its index). */
  statementIndex?: number;
}

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  detail?: string;
  statementIndex?: number;
}

function toError(e: SerializedError): EngineError {
  const error = new EngineError(e.message + (e.detail ? ` (${e.detail})` : ''));
  if (e.code) error.code = e.code;
  if (e.statementIndex !== undefined) error.statementIndex = e.statementIndex;
  return error;
}
