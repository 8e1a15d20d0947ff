/**
 * The operator CLIs (npm run replay, archive, backup, reconcile, redrive, reindex, events:replay) find a running
 * platform through LOCAL_DATA_DIR/runtime.json, as `npm start` writes it. A test points them at the integration
 * platform by writing that file in a folder of its own, which it passes as LOCAL_DATA_DIR.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { platform } from './api';

export function writeRuntimeFile(dataDir: string, options: { failureQueues?: boolean } = {}): void {
  const info = platform();
  writeFileSync(
    path.join(dataDir, 'runtime.json'),
    JSON.stringify({
      apiUrl: info.apiUrl,
      lambdaEndpoint: info.lambdaEndpoint,
      // Only the CLIs that read the analytics consumers' on-failure queues need them.
      failureQueueUrls: options.failureQueues ? info.analytics.failureQueueUrls : {},
      env: info.env,
      pid: process.pid,
    }),
    // It holds the platform's local credentials, as `npm start`'s does.
    { mode: 0o600 },
  );
}
