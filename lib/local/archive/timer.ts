/**
 * The archive of old orders on the local substrate: the scheduled job's handler (lib/saga.ts: archiveOrders)
 * invoked in-process every `everySeconds` — daily by default, as EventBridge runs it in AWS — and on demand.
 * The first run comes one period after the start, not at it: a start is no time to move a year of orders.
 */
import { scheduledJobs } from '../../saga';
import { localInvoker } from '../lambda/local-invoker';

export interface LocalArchiveJob {
  /** Runs the archive job once, now; resolves with its report. */
  run(): Promise<unknown>;
  stop(): void;
}

export const DAILY_SECONDS = 24 * 60 * 60;

export function startArchiveTimer(options: { projectRoot: string; everySeconds: number; log: (m: string) => void }) {
  const job = scheduledJobs.find((j) => j.id === 'archiveOrders')!;
  const invoke = localInvoker(options.projectRoot, job, 15 * 60_000);
  const run = () => invoke({ source: 'local.manual' });
  let timer: NodeJS.Timeout | undefined;
  if (options.everySeconds > 0) {
    timer = setInterval(
      () =>
        void invoke({ source: 'local.timer' }).catch((e: unknown) =>
          options.log(`order archive failed: ${(e as Error)?.message ?? String(e)}`),
        ),
      options.everySeconds * 1000,
    );
    timer.unref();
  }
  return { run, stop: () => clearInterval(timer) } satisfies LocalArchiveJob;
}
