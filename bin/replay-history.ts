/**
 * npm run replay:history -- --from YYYY-MM-DD --to YYYY-MM-DD [--rate N] [--data DIR]
 *
 * Replays the Online Retail dataset (--data or DATASET_DIR) between two dates, inclusive, into the running local
 * platform (`npm start`, found through LOCAL_DATA_DIR/runtime.json) as its own events: each invoice an order
 * in the orders table, each cancellation a refund, each line a `purchase` on the clickstream. The platform's
 * stream consumers then load them into the warehouse like live orders. Replaying the same range again
 * writes the same ids and counts nothing twice. `--rate N` sends at most N invoices per second.
 */
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { parseRange, SKIP_REASONS } from '@ecicomm/local-platform/history/mapping';
import { findRunningPlatform, replayHistory } from '@ecicomm/local-platform/history/replay';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { command, usageError, EXIT, inputDirectory, parse } from './cli';

const program = command(
  'npm run replay:history --',
  'Replay the Online Retail dataset between two dates, inclusive, into the running local platform (npm start) as orders, refunds and clickstream purchases',
)
  .requiredOption('--from <YYYY-MM-DD>', 'the first day to replay')
  .requiredOption('--to <YYYY-MM-DD>', 'the last day to replay')
  .option('--rate <n>', 'send at most N invoices per second', parse.positiveNumber)
  .option('--data <dir>', 'the dataset folder (default: DATASET_DIR or ../shared/data/online-retail)')
  .addHelpText(
    'after',
    '\nexit codes: 0 replayed, 1 the replay failed (or no platform is running), 2 bad usage or no dataset folder',
  )
  .parse();
const values = program.opts<{ from: string; to: string; rate?: number; data?: string }>();
let range: ReturnType<typeof parseRange>;
try {
  range = parseRange(values.from, values.to);
} catch (e) {
  usageError(program, (e as Error).message);
}
const rate = values.rate;

const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
const datasetDir = inputDirectory(
  values.data ?? path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail'),
  'dataset folder',
);
const bar = new SingleBar(
  { format: 'Replaying [{bar}] {value}/{total} invoices | {rate}/s | {duration_formatted}', hideCursor: true },
  Presets.shades_classic,
);
let barStarted = false;
const barStart = performance.now();

try {
  const platform = await findRunningPlatform(dataDir);
  console.error(
    `Replaying ${range.from} to ${range.to} from ${datasetDir} into the local platform at ${platform.apiUrl}${rate ? ` at most ${rate} invoices/s` : ''}`,
  );
  const result = await replayHistory({
    env: platform.env,
    datasetDir,
    range,
    rate,
    onStart: (total) => {
      bar.start(total, 0, { rate: '0' });
      barStarted = true;
    },
    onProgress: (done) =>
      bar.update(done, { rate: (done / Math.max(0.001, (performance.now() - barStart) / 1000)).toFixed(0) }),
  });
  bar.stop();
  const seconds = result.elapsedMs / 1000;
  const skippedTotal = SKIP_REASONS.reduce((sum, r) => sum + result.skipped[r], 0);
  const pounds = (pence: number) =>
    `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  console.log(`
History replay ${range.from} … ${range.to}
  invoices        ${result.invoices}
  orders          ${result.orders} (confirmed sales)
  refunds         ${result.refunds} (cancellation invoices)
  no order        ${result.emptyInvoices} (every line skipped)
  lines           ${result.lines}
  skipped lines   ${skippedTotal}${SKIP_REASONS.filter((r) => result.skipped[r] > 0)
    .map((r) => `\n    ${r.padEnd(34)}${result.skipped[r]}`)
    .join('')}
  events          ${result.events} (purchase, on the clickstream)
  net revenue     ${pounds(result.revenuePence)}
    of which      ${pounds(result.nonMerchandisePence)} postage, fees and adjustments (${result.nonMerchandiseLines} lines: in the totals, not in product rankings or categories)
  elapsed         ${seconds.toFixed(1)} s
  rate            ${(result.invoices / Math.max(seconds, 0.001)).toFixed(0)} invoices/s, ${((result.lines + result.events) / Math.max(seconds, 0.001)).toFixed(0)} records/s

The platform's stream consumers load these into the warehouse; GET /v1/analytics/reports/sales shows them once they have caught up.`);
} catch (e) {
  if (barStarted) bar.stop();
  console.error((e as Error).message);
  process.exitCode = EXIT.failed;
}
