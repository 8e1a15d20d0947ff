/**
 * `npm start`'s head start: the data directory claimed and the emulators' processes (a JVM, a Node) started before
 * the platform's modules load, which takes seconds of its own; the two then overlap. Imports nothing heavy.
 * startPlatform takes it as `options.early` and does neither step again.
 */
import type { Emulator } from '../emulators';
import { prepareDataDir } from './data-dir';
import { startDatabaseEmulators } from './database-emulators';
import type { PlatformOptions } from './types';

export interface EarlyDatabases {
  /** Each emulator as it starts (stopped with the platform, or by `stop` if the platform never starts). */
  emulators: Emulator[];
  /** The data directory emptied (--fresh), claimed, and every port checked free. */
  prepared: Promise<void>;
  started: ReturnType<typeof startDatabaseEmulators>;
  /** Stops what was started, for a start that ends before startPlatform took them over. */
  stop(): Promise<void>;
}

export function startDatabasesEarly(
  options: PlatformOptions,
  port: number,
  log: (message: string) => void,
): EarlyDatabases {
  const emulators: Emulator[] = [];
  const prepared = prepareDataDir(options, port);
  const started = prepared.then(() => startDatabaseEmulators(options, emulators, log));
  // Both are awaited, and their errors surfaced, by startPlatform: seconds later, once its modules are loaded.
  prepared.catch(() => undefined);
  started.catch(() => undefined);
  return {
    emulators,
    prepared,
    started,
    stop: async () => {
      await started.catch(() => undefined);
      await Promise.all(emulators.map((e) => e.stop()));
    },
  };
}
