/**
 * The hook through which the local platform trains a demand-insights model when it has none: injected,
 * because the training glue belongs with the models (ml/src/insights/train.ts), not the platform. A trainer
 * is started with the job and answers either the child process that trains (done when it exits 0; its
 * stderr's tail is the error otherwise; killed on stop) or a promise (done when it settles).
 */
import type { ChildProcess } from 'node:child_process';
import type { InsightsStartContext } from './insights-model';

export interface InsightsTrainingJob extends InsightsStartContext {
  /** The platform's data directory (scratch space, e.g. a synthetic history of the demo catalog). */
  dataDir: string;
  /** Where the trainer writes model.json: rename it into place, so a half-written model is never served. */
  modelDir: string;
}

export type InsightsTrainer = (job: InsightsTrainingJob) => ChildProcess | Promise<unknown>;

const isChildProcess = (value: ChildProcess | Promise<unknown>): value is ChildProcess =>
  typeof (value as ChildProcess).kill === 'function' && typeof (value as ChildProcess).once === 'function';

/** Starts the trainer; `done` settles when it has finished, `stop` ends a child process early. */
export function runTrainer(trainer: InsightsTrainer, job: InsightsTrainingJob): { done: Promise<void>; stop(): void } {
  const started = trainer(job);
  if (!isChildProcess(started)) return { done: started.then(() => undefined), stop: () => undefined };
  const child = started;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on('message', (message: { type?: string; progress?: unknown[] }) => {
    if (message?.type === 'progress' && message.progress) job.onTrainProgress?.(message.progress);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').slice(-3).join(' / ');
      reject(new Error(`the insights training process exited with ${code ?? signal}${tail ? `: ${tail}` : ''}`));
    });
  });
  return {
    done,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
