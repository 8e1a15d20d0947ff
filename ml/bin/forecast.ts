/**
 * npm run ml:forecast -- --data DIR --until YYYY-MM-DD --horizon 8 --out FILE.json
 * Trains the demand forecaster on the dataset's lines before --until (a Monday) and writes weekly unit
 * forecasts with p10/p90 for every product (ml/src/forecast/train.ts has the file's shape). Progress on stderr.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadWeeklyUnits } from '../src/forecast/load';
import { DEFAULT_MODEL, describeModel, modelAt } from '../src/forecast/model';
import { buildForecasts } from '../src/forecast/train';
import { isMonday } from '../src/forecast/weeks';
import { command, datasetDirectory, EXIT, parse, usageError } from './cli';
import { progressDisplay } from './progress';

const program = command(
  'npm run ml:forecast --',
  'Train the demand forecaster on the lines before --until and write weekly unit forecasts with p10/p90 per product',
)
  .option('--data <dir>', 'the dataset folder (default: DATASET_DIR or ../shared/data/online-retail)')
  .requiredOption('--until <YYYY-MM-DD>', 'train on the lines before this Monday; forecasts start on it', parse.day)
  .option('--horizon <weeks>', 'weeks to forecast, 1 to 52', parse.wholeNumber, 8)
  .requiredOption('--out <file>', 'the JSON file to write')
  .addHelpText('after', '\nexit codes: 0 written, 1 training failed, 2 bad usage or no dataset folder')
  .parse();
const values = program.opts<{ data?: string; until: string; horizon: number; out: string }>();
if (!isMonday(values.until))
  usageError(program, `--until ${values.until} is not a Monday (weeks run Monday to Sunday)`);
if (values.horizon < 1 || values.horizon > 52) usageError(program, '--horizon: must be 1 to 52 weeks');
const datasetDir = datasetDirectory(values.data);
const out = path.resolve(values.out);

const { onProgress, log, elapsed } = progressDisplay();
try {
  log(`Forecasting ${values.horizon} weeks from ${values.until}, trained on ${datasetDir} before it`);
  const units = await loadWeeklyUnits(datasetDir, {
    until: values.until,
    onProgress: (d, t) => onProgress('read', d, t),
  });
  if (units.weeks < 1 || units.series.size === 0) throw new Error(`No units sold before ${values.until}`);
  log(`Model: ${describeModel(modelAt(units.weeks, DEFAULT_MODEL))}`);
  const file = buildForecasts(units, values.until, values.horizon, undefined, (d, t) => onProgress('forecasts', d, t));
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(file)}\n`);
  log(`Wrote ${Object.keys(file.forecasts).length} products' forecasts to ${out} in ${elapsed().toFixed(1)} s`);
} catch (e) {
  log(`ml:forecast: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
