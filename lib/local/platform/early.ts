/**
 * `npm start`'s head start: the data directory claimed and the emulators' processes (a JVM, a Node) asked for before
 * the platform's modules load, which takes seconds of its own; the two then overlap. Imports nothing heavy.
 * startPlatform takes it as `options.early` and does neither step again.
 *
 * The spawns themselves need the event loop, which loading the modules holds for about 1.5 s: `spawned` settles once
 * both processes exist (or the start failed), and `npm start` waits for it before loading them, so that the JVM starts
 * on the core the module loading leaves idle. Measured with `npm run bench -- --only start`, two alternating pairs
 * (2026-12-08, load 0.8–4.5 at their starts): DynamoDB Local answered at 1.8–2.0 s instead of 2.8–3.2 s; restart
 * medians 4.17, 3.92 s → 4.00, 3.61 s, fresh starts 14.02, 12.62 s → 13.85, 12.41 s (the fresh start's seeding is
 * DynamoDB Local's own CPU: about 9 s of it for 11,424 items). An earlier measurement of the same idea (4.3–4.8 s
 * against 4.1–4.7 s) saw no gain; these runs, alternating, did, on each of the six restarts of the second pair.
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
  /** Settles once both processes exist, or once the start failed (its error is `started`'s). */
  spawned: Promise<void>;
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
  let spawns = 0;
  let allSpawned!: () => void;
  const bothSpawned = new Promise<void>((resolve) => (allSpawned = resolve));
  const onSpawn = () => void (++spawns === 2 && allSpawned());
  const started = prepared.then(() => startDatabaseEmulators(options, emulators, log, onSpawn));
  const settled = started.then(
    () => undefined,
    () => undefined,
  );
  // Both are awaited, and their errors surfaced, by startPlatform: seconds later, once its modules are loaded.
  prepared.catch(() => undefined);
  started.catch(() => undefined);
  return {
    emulators,
    prepared,
    started,
    spawned: Promise.race([bothSpawned, settled]),
    stop: async () => {
      await started.catch(() => undefined);
      await Promise.all(emulators.map((e) => e.stop()));
    },
  };
}
