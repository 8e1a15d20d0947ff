/**
 * The segments task of `npm run ml:evaluate -- --task segments` (ml/src/segments/evaluate.ts has the
 * protocol): checks the cut, reads the order history, prints the tables and, with --readme, writes them into
 * ml/README.md.
 */
import type { Command } from 'commander';
import { isoDay, loadOrderHistory } from '../src/data';
import { evaluateSegments, SEGMENTS_DEFAULTS } from '../src/segments/evaluate';
import { segmentsReport } from '../src/segments/report';
import { datasetDirectory, EXIT } from './cli';
import { progressDisplay } from './progress';
import { publishTables } from './report';

const DAY = 86_400_000;

export interface SegmentsTaskOptions {
  data?: string;
  test?: string;
  seed: number;
  readme?: boolean;
}

export async function segmentsTask(program: Command, options: SegmentsTaskOptions): Promise<void> {
  const cut = options.test ?? SEGMENTS_DEFAULTS.cut;
  const datasetDir = datasetDirectory(options.data);
  const { onProgress, log, elapsed } = progressDisplay();
  try {
    log(`Reading ${datasetDir}`);
    const history = await loadOrderHistory(datasetDir, { onProgress: (d, t) => onProgress('read', d, t) });
    if (history.invoices.length === 0) throw new Error(`No cleaned invoices in ${datasetDir}`);
    const last = history.invoices.at(-1)!.time;
    const horizonEnd = Date.parse(`${cut}T00:00:00Z`) + SEGMENTS_DEFAULTS.days * DAY;
    if (horizonEnd > last + DAY)
      program.error(`--test ${cut}: its ${SEGMENTS_DEFAULTS.days} days run past the data's last day ${isoDay(last)}`);
    const settings = { ...SEGMENTS_DEFAULTS, cut, seed: options.seed, onProgress };
    const evaluation = evaluateSegments(history, settings);
    const command = `npm run ml:evaluate -- ${process.argv.slice(2).join(' ')}`;
    const markdown =
      `Produced by \`${command}\` in ${elapsed().toFixed(1)} s (Node ${process.version}, reading the dataset included).\n\n` +
      segmentsReport(evaluation, settings);
    await publishTables(markdown, 'segments', options.readme, log);
  } catch (e) {
    log(`ml:evaluate: ${(e as Error).message}`);
    process.exitCode = EXIT.failed;
  }
}
