/**
 * npm run ml:train-insights -- [--data DIR] [--until YYYY-MM-DD] [--out DIR]
 * Trains the demand-insights model (demand forecasts, customer segments, price elasticities: ml/src/insights)
 * on the dataset's lines before --until (a Monday; default: all of them) and writes DIR/model.json and
 * DIR/model.tar.gz (model.json and metrics.json; default DIR: ml/insights-model, not committed). Progress on stderr.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { isMonday } from '../src/forecast/weeks';
import { trainInsights, writeInsightsArtifact } from '../src/insights/train';
import { command, datasetDirectory, EXIT, parse } from './cli';
import { progressDisplay } from './progress';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const monday = (value: string) => {
  const day = parse.day(value);
  if (!isMonday(day)) throw new InvalidArgumentError('must be a Monday: forecasts are of whole weeks from it');
  return day;
};
const values = command(
  'npm run ml:train-insights --',
  'Train the demand-insights model (forecasts, segments, pricing) and write DIR/model.json and DIR/model.tar.gz',
)
  .option('--data <dir>', 'the dataset folder (default: DATASET_DIR or ../shared/data/online-retail)')
  .option('--until <YYYY-MM-DD>', 'train on the lines before this Monday (default: all of them)', monday)
  .option('--out <dir>', 'where to write the model (default: ml/insights-model)')
  .addHelpText('after', '\nexit codes: 0 trained and written, 1 training failed, 2 bad usage or no dataset folder')
  .parse()
  .opts<{ data?: string; until?: string; out?: string }>();
const datasetDir = datasetDirectory(values.data);
const out = path.resolve(values.out ?? path.join(projectRoot, 'ml/insights-model'));

const { onProgress, log, elapsed } = progressDisplay();
try {
  log(`Training the insights model on ${datasetDir}${values.until ? `, lines before ${values.until}` : ''}`);
  const artifact = await trainInsights({ datasetDir, until: values.until, onProgress });
  await writeInsightsArtifact(out, artifact);
  const { forecast, segments, pricing } = artifact;
  const fitted = Object.values(pricing.products).filter((p) => p.elasticity !== undefined).length;
  log(`Model ${artifact.version}, as of ${artifact.asOf}:`);
  log(`  forecasts: ${Object.keys(forecast.products).length} products, ${forecast.weekStarts.length} weeks ahead`);
  log(
    `  segments:  ${segments.segments.length} of ${segments.customers.length} customers: ` +
      segments.segments.map((s) => `${s.name} (${s.customers})`).join(', '),
  );
  log(`  pricing:   ${fitted} of ${Object.keys(pricing.products).length} products with an elasticity`);
  const seconds = (artifact.metrics as { seconds: Record<string, number> }).seconds;
  log(
    `  seconds:   ${Object.entries(seconds)
      .map(([stage, s]) => `${stage} ${s}`)
      .join(', ')}`,
  );
  log(`Wrote ${path.join(out, 'model.json')} and model.tar.gz in ${elapsed().toFixed(1)} s`);
} catch (e) {
  log(`ml:train-insights: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
