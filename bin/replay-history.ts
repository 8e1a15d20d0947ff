/**
 * npm run replay:history -- --from YYYY-MM-DD --to YYYY-MM-DD [--rate N]
 *
 * Replays the Online Retail dataset (DATASET_DIR) between two dates, inclusive, into the running local
 * platform (`npm start`, found through LOCAL_DATA_DIR/runtime.json) as its own events: each invoice an order
 * in the orders table, each cancellation a refund, each line a `purchase` on the clickstream. The platform's
 * stream consumers then load them into the warehouse like live orders. Replaying the same range again
 * writes the same ids and counts nothing twice. `--rate N` sends at most N invoices per second.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { parseRange, SKIP_REASONS, type DateRange } from '@ecicomm/local-platform/history/mapping';
import { findRunningPlatform, replayHistory } from '@ecicomm/local-platform/history/replay';
import { projectRoot } from '@ecicomm/local-platform/platform';

const USAGE = 'usage: npm run replay:history -- --from YYYY-MM-DD --to YYYY-MM-DD [--rate N]';

let range: DateRange;
let rate: number | undefined;
try {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, rate: { type: 'string' } },
    strict: true,
  });
  range = parseRange(values.from, values.to);
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0)
      throw new Error(`--rate must be a positive number of invoices per second, got '${values.rate}'`);
  }
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}

const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
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
  process.exitCode = 1;
}
