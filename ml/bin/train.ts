/**
 * npm run ml:train -- [--data DIR] [--until YYYY-MM-DD] [--out DIR] [--holdout-days N]
 * Trains the recommendation model on the dataset's invoices before --until (default: all of them) and
 * writes DIR/model.json and DIR/model.tar.gz (default DIR: ml/model, not committed). Progress on stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { trainModel, writeArtifact } from '../src/train/index';
import { progressDisplay } from './progress';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    until: { type: 'string' },
    out: { type: 'string' },
    'holdout-days': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.error('usage: npm run ml:train -- [--data DIR] [--until YYYY-MM-DD] [--out DIR] [--holdout-days 90]');
  process.exit(0);
}
if (values.until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.until)) {
  console.error(`--until: expected YYYY-MM-DD, got '${values.until}'`);
  process.exit(2);
}
const datasetDir = path.resolve(
  values.data ?? process.env.DATASET_DIR ?? path.join(projectRoot, '../shared/data/online-retail'),
);
const out = path.resolve(values.out ?? path.join(projectRoot, 'ml/model'));
const holdoutDays = values['holdout-days'] === undefined ? 90 : Number(values['holdout-days']);
if (!(holdoutDays >= 0)) {
  console.error(`--holdout-days: expected a number of days, got '${values['holdout-days']}'`);
  process.exit(2);
}

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
  process.exitCode = 1;
}
