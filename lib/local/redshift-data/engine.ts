import { Worker } from 'node:worker_threads';
import { runMigrations } from '../warehouse/migrations';
import { ENSURE_READER_ROLE, READ_ONLY_AS_READER } from '../warehouse/pglite-reader';
import { LOAD_LIMITS, WarehouseError, type ExecuteResult, type MigrationReport, type Row, type SqlValue, type Statement, type Warehouse } from '../warehouse/port';

/**
 * The local warehouse as the platform's handlers use it: PGlite on a worker thread (pglite-thread.mjs),
 * the same engine and SQL as warehouse/pglite.ts, reached by messages.
 *
 * Why a thread: PGlite executes on the thread that calls it, synchronously inside each call. Creating a
 * database directory (a fresh `npm start`) blocked the platform's one thread for 6-13 s here — the HTTP edge
 * answered nothing meanwhile, and the health check's own timeout could not fire — and every load of a batch
 * blocked it again for its duration. On its own thread the engine leaves the edge and the pollers responsive.
 *
 * The thread keeps the process alive only while a request is waiting for it, so a handle nobody closes (a
 * handler module's) does not hold a finished process open.
 */
export class ThreadedPgliteWarehouse implements Warehouse {
  readonly loadLimits = LOAD_LIMITS.pglite;
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
    worker.on('error', (e) => fail(new WarehouseError(`The warehouse thread failed: ${e.message}`, { cause: e })));
    worker.on('exit', () => fail(new WarehouseError('The warehouse is closed')));
  }

  /** Starts the thread and opens the engine; `dataDir` a directory, or `memory://` (or undefined) for memory. */
  static async open(options: { dataDir?: string } = {}): Promise<ThreadedPgliteWarehouse> {
    const worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), {
      workerData: { dataDir: options.dataDir, ensureReaderRole: ENSURE_READER_ROLE, readOnlyAsReader: READ_ONLY_AS_READER },
    });
    const listeners: { event: 'message' | 'error' | 'exit'; listener: (...args: any[]) => void }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        listeners.push(
          { event: 'message', listener: (m: { ready: boolean; error?: SerializedError }) => (m.ready ? resolve() : reject(toError(m.error!))) },
          { event: 'error', listener: reject },
          { event: 'exit', listener: (code: number) => reject(new WarehouseError(`The warehouse thread exited (${code}) before it was ready`)) },
        );
        for (const { event, listener } of listeners) worker.on(event, listener);
      });
    } catch (e) {
      await worker.terminate();
      throw e;
    } finally {
      // Only these: the Worker's own listeners keep its message port working.
      for (const { event, listener } of listeners) worker.off(event, listener);
    }
    const warehouse = new ThreadedPgliteWarehouse(worker);
    warehouse.idle();
    return warehouse;
  }

  migrate(): Promise<MigrationReport> {
    return runMigrations(this, { dialect: 'postgres' });
  }

  execute(sql: string, params: readonly SqlValue[] = [], asReader = false): Promise<ExecuteResult> {
    return this.request({ kind: 'execute', sql, params: [...params], asReader }) as Promise<ExecuteResult>;
  }

  query<T extends object = Row>(sql: string, params: readonly SqlValue[] = [], asReader = false): Promise<T[]> {
    return this.request({ kind: 'query', sql, params: [...params], asReader }) as Promise<T[]>;
  }

  batch(statements: readonly Statement[], asReader = false): Promise<ExecuteResult[]> {
    if (statements.length === 0) return Promise.resolve([]);
    return this.request({ kind: 'batch', statements: statements.map((s) => ({ sql: s.sql, params: [...(s.params ?? [])] })), asReader }) as Promise<ExecuteResult[]>;
  }

  /** The same engine for a reader: each request in a read-only transaction as the reader role (see warehouse/pglite-reader.ts). */
  readOnly(): Warehouse {
    return {
      loadLimits: this.loadLimits,
      migrate: () => Promise.reject(new WarehouseError('A read-only warehouse handle cannot migrate')),
      execute: (sql, params) => this.execute(sql, params, true),
      query: (sql, params) => this.query(sql, params, true),
      batch: (statements) => this.batch(statements, true),
      // The engine is the loaders' too: only its owner closes it.
      close: async () => undefined,
    };
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

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  detail?: string;
}

function toError(e: SerializedError): Error {
  const error = new WarehouseError(e.message + (e.detail ? ` (${e.detail})` : ''));
  if (e.code) Object.assign(error, { code: e.code });
  return error;
}
