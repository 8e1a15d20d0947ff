/**
 * `npm start`'s head start: the data directory claimed and the emulators' processes (a JVM, a Node) asked for before
 * the platform's modules load, which takes seconds of its own; the two then overlap. Imports nothing heavy.
 * startPlatform takes it as `options.early` and does neither step again.
 *
 * The spawns themselves come once the event loop is free, which loading the modules holds for about 1.5 s. Measured
 * on a restart: waiting for the spawns before loading anything had the JVM answer with the modules, but the engines'
 * threads (search, warehouse) then ended later, and the restart took as long (4.3–4.8 s against 4.1–4.7 s) — the two
 * cores are busy throughout either way. So it is not done. Measured again on 2026-12-08 (`npm run bench -- --only
 * start`, two alternating pairs, load 1.2–5.9): DynamoDB Local answered at 2.0–2.35 s instead of 2.6–3.3 s, and the
 * banner came no sooner (restart medians 3.80, 3.72 s without the wait, 3.78, 3.72 s with it; fresh starts 12.94,
 * 12.58 s without, 12.81, 12.73 s with).
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
