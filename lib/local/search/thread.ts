import { Worker } from 'node:worker_threads';
import type { SearchEngine, SearchEngineOptions } from './server';

const STOP_GRACE_MS = 5_000;

/**
 * The local search engine (./server.ts) on a worker thread of its own, as the platform runs it.
 *
 * Why a thread: in AWS the OpenSearch domain runs on its own nodes, beside the Lambdas that call it. On the
 * platform's one thread every query's scoring (typo expansion above all) stalled the HTTP edge, the handlers
 * and the stream pollers, and a search through the API cost the engine's time plus the edge's, one after the
 * other. On its own thread the engine scores while the edge, the handlers and the pollers go on.
 */
export async function startSearchEngineThread(options: SearchEngineOptions): Promise<SearchEngine> {
  // The thread registers its own TypeScript loader (engine-thread.mjs); it needs none inherited.
  const worker = new Worker(new URL('./engine-thread.mjs', import.meta.url), { workerData: options, execArgv: [] });
  const started = await firstMessage<{ ready: boolean; endpoint?: string; error?: string; code?: string }>(
    worker,
  ).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  if (!started.ready) {
    await worker.terminate();
    throw Object.assign(new Error(`The local search engine did not start: ${started.error}`), { code: started.code });
  }
  worker.on('error', (e) => console.error('local search engine: its thread failed', e));
  return {
    endpoint: started.endpoint!,
    stop: async () => {
      worker.postMessage('stop');
      // Indexes are flushed and closed on the thread before it goes; a thread that hangs is ended anyway.
      await Promise.race([
        firstMessage(worker).catch(() => undefined),
        new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref()),
      ]);
      await worker.terminate();
    },
  };
}

/** The thread's next message; an error or an exit before it rejects. */
function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = (done: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      done();
    };
    const onMessage = (message: T) => settle(() => resolve(message));
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) =>
      settle(() => reject(new Error(`The local search engine's thread exited (${code})`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
