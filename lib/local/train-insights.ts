/**
 * The trainer `npm start` injects into the local insights model (lib/local/insights-model.ts): the
 * demand-insights training of ml/src/insights/train.ts in a child process (lib/local/train-model-child.ts
 * --model insights), so the platform's event loop stays free. It learns from the dataset when the catalog
 * came from it, and from a synthetic order history of the demo catalog otherwise — in a folder of its own,
 * because the recommendation model's trainer writes the same history at the same time.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { InsightsTrainer } from './insights-model';
import { DEMO_CATALOG } from './seed/demo-catalog';
import { writeDemoHistory } from './seed/demo-history';

export const trainInsightsInChild: InsightsTrainer = (job) => {
  let data = job.datasetDir;
  if (job.catalogSource !== 'dataset' || !data) {
    const history = writeDemoHistory(path.join(job.dataDir, 'insights-demo-history'), DEMO_CATALOG);
    job.log(`insights model: training on a synthetic history of the demo catalog (${history.invoices} invoices)`);
    data = history.dir;
  }
  const script = path.join(job.projectRoot, 'lib', 'local', 'train-model-child.ts');
  return spawn(
    process.execPath,
    ['--import', 'tsx', script, '--model', 'insights', '--data', data, '--out', job.modelDir],
    {
      cwd: job.projectRoot,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
};
