/**
 * Training the demand-insights model: the three models of ml/src/insights/contract.ts fitted at one cut,
 * from two passes over the dataset — the cleaned order history shared with recommendations (ml/src/data.ts,
 * for segments), then the weekly units and prices of every line (ml/src/forecast/units.ts and
 * ml/src/pricing/weeks.ts, whose rules count lines without a customer too: stock is drawn by every sale).
 *
 * The cut (`asOf`) is `until` when given (a Monday), else the Monday after the last purchase, so that a
 * model trained on the whole history forecasts the weeks that follow it. Weeks are counted from the Monday
 * of the first purchase, so the demo catalog's synthetic history (2025) trains exactly as the dataset does.
 */
import { createHash } from 'node:crypto';
import { readInvoiceLineBatches } from '../../../catalog-data/invoice-lines';
import { CLEANING_RULES, loadOrderHistory, type OrderHistory } from '../data';
import { buildForecastPart } from '../forecast/part';
import { WeeklyUnitsBuilder, type WeeklyUnits } from '../forecast/units';
import { addWeeks, isMonday, weekIndex, weekStartOf } from '../forecast/weeks';
import { pricingPartOf } from '../pricing/part';
import { PriceWeeksBuilder, type PriceWeeks } from '../pricing/weeks';
import { buildSegmentsPart } from '../segments/part';
import { writeModelFiles } from '../train/artifact';
import { INSIGHTS_FORMAT, InsightsArtifact } from './contract';

export interface TrainInsightsOptions {
  datasetDir: string;
  /** Train on the lines before this Monday (YYYY-MM-DD); default: all of them. */
  until?: string;
  /** Stage name ('read history', 'read weeks', 'forecasts', …), then done and total in that stage's units. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** The cut and the weeks counted up to it. */
interface Window {
  origin: string;
  asOf: string;
  weeks: number;
}

function windowOf(history: OrderHistory, until: string | undefined): Window {
  const first = history.invoices[0];
  const last = history.invoices.at(-1);
  if (!first || !last) throw new Error('No purchases to train on (the dataset holds no cleaned invoice lines)');
  const origin = weekStartOf(first.at);
  const asOf = until ?? addWeeks(weekStartOf(last.at), 1);
  const weeks = weekIndex(origin, asOf);
  if (weeks < 2) throw new Error(`Too little history before ${asOf}: ${weeks} week(s) from ${origin}`);
  return { origin, asOf, weeks };
}

/** Weekly units and prices of every line in the window, in one pass. */
async function readWeeks(
  datasetDir: string,
  window: Window,
  onProgress?: TrainInsightsOptions['onProgress'],
): Promise<{ units: WeeklyUnits; prices: PriceWeeks }> {
  const units = new WeeklyUnitsBuilder(window.origin, window.weeks);
  const prices = new PriceWeeksBuilder(window.origin, window.weeks);
  const progress = onProgress && ((done: number, total: number) => onProgress('read weeks', done, total));
  for await (const batch of readInvoiceLineBatches(datasetDir, { onProgress: progress }))
    for (const line of batch) {
      units.add(line);
      prices.add(line);
    }
  return { units: units.build(), prices: prices.build() };
}

/** Runs one stage, reports it as a stage of one step, and times it (seconds, for the artifact's metrics). */
function timed<T>(stage: string, timings: Record<string, number>, options: TrainInsightsOptions, run: () => T): T {
  const started = performance.now();
  options.onProgress?.(stage, 0, 1);
  const result = run();
  timings[stage] = Math.round(performance.now() - started) / 1000;
  options.onProgress?.(stage, 1, 1);
  return result;
}

/** Trains the three models at one cut and returns the artifact (validated against the contract). */
export async function trainInsights(options: TrainInsightsOptions): Promise<InsightsArtifact> {
  if (options.until !== undefined && !isMonday(options.until))
    throw new Error(`until ${options.until} is not a Monday: forecasts are of whole weeks from it`);
  const timings: Record<string, number> = {};
  let started = performance.now();
  const history = await loadOrderHistory(options.datasetDir, {
    until: options.until,
    onProgress: options.onProgress && ((done, total) => options.onProgress!('read history', done, total)),
  });
  timings['read history'] = Math.round(performance.now() - started) / 1000;
  const window = windowOf(history, options.until);
  started = performance.now();
  const { units, prices } = await readWeeks(options.datasetDir, window, options.onProgress);
  timings['read weeks'] = Math.round(performance.now() - started) / 1000;

  const forecast = timed('forecasts', timings, options, () => buildForecastPart(units, window.asOf));
  const segments = timed('segments', timings, options, () => buildSegmentsPart(history, window.asOf));
  const pricing = timed('pricing', timings, options, () => pricingPartOf(prices, window.asOf));
  const body = { forecast, segments, pricing };
  // The version names what is served: the parts without their metrics, which hold timings that differ run to run.
  const served = [forecast, segments, pricing].map(({ metrics: _metrics, ...part }) => part);
  const hash = createHash('sha256').update(JSON.stringify(served)).digest('hex').slice(0, 8);
  return InsightsArtifact.parse({
    format: INSIGHTS_FORMAT,
    version: `${window.asOf}.insights.${hash}`,
    trainedAt: new Date().toISOString(),
    asOf: window.asOf,
    cleaningRules: CLEANING_RULES,
    dataWindow: {
      from: window.origin,
      until: window.asOf,
      weeks: window.weeks,
      invoices: history.invoices.length,
      customers: history.customers.length,
      products: Object.keys(forecast.products).length,
    },
    metrics: { seconds: timings },
    ...body,
  });
}

/** What model.tar.gz's metrics.json holds: the artifact without its tables. */
export const metricsOf = (artifact: InsightsArtifact) => ({
  format: artifact.format,
  version: artifact.version,
  trainedAt: artifact.trainedAt,
  asOf: artifact.asOf,
  dataWindow: artifact.dataWindow,
  training: artifact.metrics,
  forecast: artifact.forecast.metrics,
  segments: artifact.segments.metrics,
  pricing: artifact.pricing.metrics,
});

/** Writes `dir`/model.json and `dir`/model.tar.gz (model.json and metrics.json), as SageMaker downloads it. */
export async function writeInsightsArtifact(dir: string, artifact: InsightsArtifact): Promise<void> {
  const metrics = Buffer.from(`${JSON.stringify(metricsOf(artifact), null, 2)}\n`);
  await writeModelFiles(dir, artifact, [{ name: 'metrics.json', content: metrics }]);
}
