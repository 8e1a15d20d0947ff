/**
 * Trains a model for the local platform in a child process, so the platform's event loop (the HTTP
 * edge and every handler run on it) stays free while training works through the order history.
 *
 *   node --import tsx lib/local/train-model-child.ts --data DIR --out DIR [--until YYYY-MM-DD] [--model recommendations|insights]
 *
 * `--model` picks the trainer: the recommendation model (ml/src/train, the default) or the demand-insights
 * model (ml/src/insights/train.ts: forecasts, segments, pricing).
 *
 * Writes the artifact next to `--out` first and renames it into place, so a half-written model is never
 * served. Reports progress and the outcome over the IPC channel when there is one (lib/local/recommendations.ts)
 * and exits when its parent goes away.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** What the child needs of a model's training code: train from a dataset folder, and write the artifact. */
interface Trainer {
  train(options: { datasetDir: string; until?: string; onProgress: (...progress: unknown[]) => void }): Promise<{
    version: string;
  }>;
  write(dir: string, artifact: { version: string }): Promise<void>;
}

const TRAINERS = {
  recommendations: async (): Promise<Trainer> => {
    const { trainModel, writeArtifact } = await import('../../ml/src/train/index');
    return { train: trainModel, write: (dir, artifact) => writeArtifact(dir, artifact as never) };
  },
  insights: async (): Promise<Trainer> => {
    const { trainInsights, writeInsightsArtifact } = await import('../../ml/src/insights/train');
    return { train: trainInsights, write: (dir, artifact) => writeInsightsArtifact(dir, artifact as never) };
  },
} as const;

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
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    until: { type: 'string' },
    model: { type: 'string', default: 'recommendations' },
  },
});
const model = values.model as keyof typeof TRAINERS;
if (!values.data || !values.out || !Object.hasOwn(TRAINERS, model)) {
  await send({
    type: 'failed',
    error: 'usage: train-model-child.ts --data DIR --out DIR [--until YYYY-MM-DD] [--model recommendations|insights]',
  });
  process.exit(2);
}

let trainer: Trainer;
try {
  // Loaded here rather than imported at the top, so a trainer that cannot load is reported, not a crash.
  trainer = await TRAINERS[model]();
} catch (e) {
  await send({
    type: 'failed',
    error: `the ${model} trainer could not be loaded: ${(e as Error).message}`,
    unavailable: true,
  });
  process.exit(3);
}

try {
  const started = performance.now();
  let lastProgress = 0;
  const artifact = await trainer.train({
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
  await trainer.write(staging, artifact);
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  await send({ type: 'done', version: artifact.version, ms: Math.round(performance.now() - started) });
  process.exit(0);
} catch (e) {
  await send({ type: 'failed', error: (e as Error).stack ?? String(e) });
  process.exit(1);
}
