/**
 * npm run ml:train -- [--data DIR] [--until YYYY-MM-DD] [--out DIR] [--holdout-days N]
 * Trains the recommendation model on the dataset's invoices before --until (default: all of them) and
 * writes DIR/model.json and DIR/model.tar.gz (default DIR: ml/model, not committed). Progress on stderr.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainModel, writeArtifact } from '../src/train/index';
import { command, datasetDirectory, EXIT, parse } from './cli';
import { progressDisplay } from './progress';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const values = command(
  'npm run ml:train --',
  "Train the recommendation model on the dataset's invoices and write DIR/model.json and DIR/model.tar.gz",
)
  .option('--data <dir>', 'the dataset folder (default: DATASET_DIR or ../shared/data/online-retail)')
  .option('--until <YYYY-MM-DD>', 'train on the invoices before this day (default: all of them)', parse.day)
  .option('--out <dir>', 'where to write the model (default: ml/model)')
  .option('--holdout-days <n>', 'score the model on the last N days (0: no holdout)', parse.nonNegativeNumber, 90)
  .addHelpText('after', '\nexit codes: 0 trained and written, 1 training failed, 2 bad usage or no dataset folder')
  .parse()
  .opts<{ data?: string; until?: string; out?: string; holdoutDays: number }>();
const datasetDir = datasetDirectory(values.data);
const out = path.resolve(values.out ?? path.join(projectRoot, 'ml/model'));
const holdoutDays = values.holdoutDays;

const { onProgress, log, elapsed } = progressDisplay();
try {
  log(`Training on ${datasetDir}${values.until ? `, invoices before ${values.until}` : ''}`);
  const artifact = await trainModel({ datasetDir, until: values.until, onProgress, holdoutDays });
  await writeArtifact(out, artifact);
  const w = artifact.dataWindow;
  log(
    `Model ${artifact.version}: ${w.from} to ${w.until} (exclusive), ${w.invoices} invoices, ${w.customers} customers, ${w.items} products; ` +
      `${Object.keys(artifact.neighbours).length} products with neighbours`,
  );
  const m = artifact.metrics;
  if (m?.holdout) {
    const f = (x: number | undefined) => (x ?? NaN).toFixed(3);
    log(
      `Holdout (last ${m.holdout.days} days, ${m.holdout.customers} customers), HR@10 / NDCG@10, nothing excluded | already-bought excluded:`,
    );
    for (const name of ['blend', 'personal', 'popularity']) {
      if (m[name])
        log(
          `  ${name.padEnd(11)} ${f(m[name]['hr@10'])} / ${f(m[name]['ndcg@10'])} | ${f(m[name]['new.hr@10'])} / ${f(m[name]['new.ndcg@10'])}`,
        );
    }
  }
  log(`Wrote ${path.join(out, 'model.json')} and model.tar.gz in ${elapsed().toFixed(1)} s`);
} catch (e) {
  log(`ml:train: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
