/**
 * The forecast task of `npm run ml:evaluate -- --task forecast` (ml/src/forecast/evaluate.ts has the protocol):
 * checks the cuts, reads the weekly units, prints the tables and, with --readme, writes them into ml/README.md.
 */
import type { Command } from 'commander';
import { evaluateForecasts, FORECAST_DEFAULTS } from '../src/forecast/evaluate';
import { loadWeeklyUnits } from '../src/forecast/load';
import { addWeeks, isMonday } from '../src/forecast/weeks';
import { datasetDirectory, EXIT, usageError } from './cli';
import { progressDisplay } from './progress';
import { publishTables } from './report';

const HORIZON = 8;

export interface ForecastTaskOptions {
  data?: string;
  validation?: string[];
  test?: string;
  tune: boolean;
  readme?: boolean;
}

export async function forecastTask(program: Command, options: ForecastTaskOptions): Promise<void> {
  const test = options.test ?? FORECAST_DEFAULTS.test;
  const validation = options.validation ?? FORECAST_DEFAULTS.validation;
  for (const day of [...validation, test]) if (!isMonday(day)) usageError(program, `${day} is not a Monday`);
  // A validation cut's horizon must end by the test cut: its actual weeks would otherwise be the test's.
  const late = validation.find((cut) => addWeeks(cut, HORIZON) > test);
  if (late) usageError(program, `--validation ${late}: its ${HORIZON} weeks run past --test ${test}`);
  const datasetDir = datasetDirectory(options.data);
  const { onProgress, log, elapsed } = progressDisplay();
  try {
    log(`Reading ${datasetDir}`);
    const units = await loadWeeklyUnits(datasetDir, { onProgress: (d, t) => onProgress('read', d, t) });
    const tables = evaluateForecasts(units, {
      validation,
      test,
      horizon: HORIZON,
      tune: options.tune,
      onProgress,
      log,
    });
    const command = `npm run ml:evaluate -- ${process.argv.slice(2).join(' ')}`;
    const markdown = `Produced by \`${command}\` in ${elapsed().toFixed(1)} s (Node ${process.version}, reading the dataset included).\n\n${tables}`;
    await publishTables(markdown, 'forecast', options.readme, log);
  } catch (e) {
    log(`ml:evaluate: ${(e as Error).message}`);
    process.exitCode = EXIT.failed;
  }
}
