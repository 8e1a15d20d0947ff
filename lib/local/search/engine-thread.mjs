// The local search engine on a thread of its own (see thread.ts). Plain JavaScript, so that the thread starts
// without a TypeScript loader under tsx and jest alike; it loads the engine through tsx's scoped import.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
  const { startSearchEngine } = await tsImport('./server.ts', import.meta.url);
  const engine = await startSearchEngine(workerData);
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    engine.stop().then(
      () => parentPort.postMessage({ stopped: true }),
      (error) => parentPort.postMessage({ stopped: false, error: error?.message ?? String(error) }),
    );
  });
  parentPort.postMessage({ ready: true, endpoint: engine.endpoint });
} catch (error) {
  parentPort.postMessage({ ready: false, error: error?.message ?? String(error), code: error?.code });
}
