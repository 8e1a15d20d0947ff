/**
 * Trains a model for the local platform in a child process, so the platform's event loop (the HTTP
 * edge and every handler run on it) stays free while training works through the order history.
 *
 *   node --import tsx lib/local/train-model-child.ts --data DIR --out DIR [--until YYYY-MM-DD]
 *
 * Writes the artifact next to `--out` first and renames it into place, so a half-written model is never
 * served. Reports progress and the outcome over the IPC channel when there is one (lib/local/recommendations.ts)
 * and exits when its parent goes away.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

type Trainer = typeof import('../../ml/src/train/index');

export type TrainerMessage =
  | { type: 'progress'; progress: unknown[] }
  | { type: 'done'; version: string; ms: number }
  | { type: 'failed'; error: string; unavailable?: boolean };

/** Resolves once the message is handed over, so exiting right after it does not lose it. */
const send = (message: TrainerMessage) =>
  new Promise<void>((resolve) => {
    if (process.send && process.connected) process.send(message, undefined, undefined, () => resolve());
    else process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve());
  });

// Orphaned (the platform was killed hard): stop rather than finish work nobody will serve.
process.on('disconnect', () => process.exit(1));

const { values } = parseArgs({
  options: { data: { type: 'string' }, out: { type: 'string' }, until: { type: 'string' } },
});
if (!values.data || !values.out) {
  await send({ type: 'failed', error: 'usage: train-model-child.ts --data DIR --out DIR [--until YYYY-MM-DD]' });
  process.exit(2);
}

let trainer: Trainer;
try {
  // Loaded here rather than imported at the top, so a trainer that cannot load is reported, not a crash.
  trainer = await import('../../ml/src/train/index');
} catch (e) {
  await send({
    type: 'failed',
    error: `the trainer (ml/src/train/index.ts) could not be loaded: ${(e as Error).message}`,
    unavailable: true,
  });
  process.exit(3);
}

try {
  const started = performance.now();
  let lastProgress = 0;
  const artifact = await trainer.trainModel({
    datasetDir: values.data,
    until: values.until,
    onProgress: (...progress: unknown[]) => {
      // At most a few a second: the parent only shows it.
      if (performance.now() - lastProgress < 250) return;
      lastProgress = performance.now();
      void send({ type: 'progress', progress: JSON.parse(JSON.stringify(progress)) as unknown[] });
    },
  });
  const out = path.resolve(values.out);
  const staging = `${out}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await trainer.writeArtifact(staging, artifact);
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  await send({ type: 'done', version: artifact.version, ms: Math.round(performance.now() - started) });
  process.exit(0);
} catch (e) {
  await send({ type: 'failed', error: (e as Error).stack ?? String(e) });
  process.exit(1);
}
