import { PgliteEngine } from './engine';
import { lockDirectory } from './lock';
import type { SqlStatement, StatementOutcome } from './types';

/**
 * The emulator's one engine, opened on first use (starting the platform pays nothing until a statement comes),
 * under the directory's single-writer lock; an opening that failed is forgotten, so the next statement tries
 * again. Statements queue on the engine's thread in the order they arrive.
 */
export class Database {
  private opening: Promise<{ engine: PgliteEngine; unlock: () => void }> | undefined;
  private closing: Promise<void> | undefined;

  /** `dataDir` a directory, or undefined for an engine in memory. */
  constructor(private readonly dataDir: string | undefined) {}

  /** 'open', 'opening', 'closed' (never opened, or closed), or 'failed' (its last opening failed). */
  state: 'closed' | 'opening' | 'open' | 'failed' = 'closed';

  async run(
    statements: readonly SqlStatement[],
    options: { asReader: boolean; transaction: boolean },
  ): Promise<StatementOutcome[]> {
    const { engine } = await this.open();
    return engine.run(statements, options);
  }

  /** A SQL client's messages, run as the reader (PgliteEngine.protocol). */
  async protocol(messages: Uint8Array): Promise<Uint8Array> {
    const { engine } = await this.open();
    return engine.protocol(messages);
  }

  open(): Promise<{ engine: PgliteEngine; unlock: () => void }> {
    if (this.opening) return this.opening;
    this.state = 'opening';
    const opening = (async () => {
      while (this.closing) await this.closing;
      const unlock = this.dataDir ? lockDirectory(this.dataDir) : () => undefined;
      try {
        return { engine: await PgliteEngine.open({ dataDir: this.dataDir }), unlock };
      } catch (e) {
        unlock();
        throw e;
      }
    })();
    this.opening = opening;
    opening.then(
      () => (this.state = 'open'),
      () => {
        if (this.opening === opening) [this.opening, this.state] = [undefined, 'failed'];
      },
    );
    return opening;
  }

  /** Closes the engine (its files are then consistent on disk) and releases the directory. */
  async close(): Promise<void> {
    const opened = this.opening;
    this.opening = undefined;
    this.state = 'closed';
    if (!opened) return;
    this.closing = opened.then(
      async ({ engine, unlock }) => {
        try {
          await engine.close();
        } finally {
          unlock();
        }
      },
      () => undefined,
    );
    await this.closing.finally(() => (this.closing = undefined));
  }
}
