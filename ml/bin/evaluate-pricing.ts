/**
 * The pricing task of `npm run ml:evaluate -- --task pricing`: demand curves fitted before each cut and
 * scored on the weeks after it beside the model without price (ml/src/pricing/holdout.ts), how the
 * elasticities depend on which lines measure the price, the artifact part over the whole dataset, and
 * example suggestions. Prints markdown; with --readme also writes it into ml/README.md.
 */
import type { Command } from 'commander';
import { readInvoiceLineBatches, type InvoiceLine } from '../../catalog-data/invoice-lines';
import { DATA_ORIGIN } from '../src/forecast/load';
import { addWeeks, isMonday, weekIndex } from '../src/forecast/weeks';
import type { PricingPart } from '../src/insights/contract';
import { fitCalibrated } from '../src/pricing/calibrate';
import { evaluateHoldout } from '../src/pricing/holdout';
import { buildPricingPart, FIT_RULE } from '../src/pricing/part';
import {
  examplesTable,
  holdoutTable,
  measureTable,
  partSummary,
  type Example,
  type HoldoutRow,
  type MeasureRow,
} from '../src/pricing/report';
import { PRICE_RULE, PRICING_TEST_CUT, RETAIL_LINE_MAX_UNITS, UNIT_COST_RULE } from '../src/pricing/rules';
import { PriceWeeksBuilder, type PriceWeeks } from '../src/pricing/weeks';
import { datasetDirectory, EXIT, usageError } from './cli';
import { progressDisplay } from './progress';
import { publishTables } from './report';

/** Validation cuts, each scored up to the next cut: earlier looks at the same protocol. */
export const PRICING_VALIDATION = ['2011-04-18', '2011-06-13'];
/** The line sizes tried as the price measure (Infinity: every line, the naive mean price). */
const MEASURES = [1, 6, RETAIL_LINE_MAX_UNITS, 24, Infinity];

export interface PricingTaskOptions {
  data?: string;
  validation?: string[];
  test?: string;
  readme?: boolean;
}

const weeksOf = (lines: InvoiceLine[], weeks: number, maxUnits = RETAIL_LINE_MAX_UNITS): PriceWeeks => {
  const builder = new PriceWeeksBuilder(DATA_ORIGIN, weeks, maxUnits);
  for (const line of lines) builder.add(line);
  return builder.build();
};

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

/** A few products of each kind, the most sold first, with their last weekly retail price. */
function examples(part: PricingPart, data: PriceWeeks, descriptions: Map<string, string>): Example[] {
  const sold = (id: string) => data.products.get(id)!.units.reduce((a, b) => a + b, 0);
  const ids = Object.keys(part.products).sort((a, b) => sold(b) - sold(a));
  const kinds: [number, (e: PricingPart['products'][string]) => boolean][] = [
    [3, (e) => e.interval !== undefined && e.interval[1] < 0 && e.elasticity! < -1],
    [1, (e) => e.interval !== undefined && e.interval[1] < 0 && e.elasticity! >= -1],
    [1, (e) => e.interval !== undefined && e.interval[0] > 0],
    [1, (e) => e.interval !== undefined && e.interval[0] <= 0 && e.interval[1] >= 0],
    [1, (e) => e.elasticity === undefined && e.observations >= 12],
  ];
  return kinds.flatMap(([n, kind]) =>
    ids
      .filter((id) => kind(part.products[id]))
      .slice(0, n)
      .map((id) => {
        const price = Array.from(data.products.get(id)!.price).filter(Number.isFinite);
        const entry = part.products[id];
        return {
          id,
          description: descriptions.get(id) ?? '',
          entry,
          currentPrice: price.at(-1) ?? entry.maxObservedPrice,
        };
      }),
  );
}

/** Every line of the dataset in memory (the measures re-fold them), and a description per product. */
async function readLines(datasetDir: string, onProgress: (done: number, total: number) => void) {
  const lines: InvoiceLine[] = [];
  const descriptions = new Map<string, string>();
  for await (const batch of readInvoiceLineBatches(datasetDir, { onProgress }))
    for (const line of batch) {
      lines.push(line);
      if (line.description && !descriptions.has(line.stockCode)) descriptions.set(line.stockCode, line.description);
    }
  return { lines, descriptions };
}

/** The fit before the test cut and its held-out errors when the price is measured on lines of ≤ maxUnits. */
function measureRow(weeks: PriceWeeks, maxUnits: number, cut: number): MeasureRow {
  const { fit } = fitCalibrated(weeks, 0, cut);
  const slopes = [...fit.products.values()].flatMap((p) => (p.line ? [p.line] : []));
  const size = Number.isFinite(maxUnits) ? `lines of ≤ ${maxUnits} unit${maxUnits === 1 ? '' : 's'}` : '';
  return {
    label: `${size || 'every line (naive mean price)'}${maxUnits === RETAIL_LINE_MAX_UNITS ? ' (served)' : ''}`,
    fitted: slopes.length,
    excludesZero: slopes.filter((l) => l.interval[0] > 0 || l.interval[1] < 0).length,
    medianElasticity: medianOf(slopes.map((l) => l.slope)),
    result: evaluateHoldout(weeks, cut, weeks.weeks),
  };
}

export async function pricingTask(program: Command, options: PricingTaskOptions): Promise<void> {
  const test = options.test ?? PRICING_TEST_CUT;
  const validation = options.validation ?? PRICING_VALIDATION;
  for (const day of [...validation, test]) if (!isMonday(day)) usageError(program, `${day} is not a Monday`);
  if (!validation.every((d, i) => d < (validation[i + 1] ?? test)))
    usageError(program, `--validation: Mondays in order, before --test ${test}`);
  const datasetDir = datasetDirectory(options.data);
  const { onProgress, log, elapsed } = progressDisplay();
  try {
    log(`Reading ${datasetDir}`);
    const { lines, descriptions } = await readLines(datasetDir, (d, t) => onProgress('read', d, t));
    if (lines.length === 0) throw new Error(`No invoice lines in ${datasetDir}`);
    const end =
      weekIndex(
        DATA_ORIGIN,
        lines.reduce((a, l) => (l.invoiceDate > a ? l.invoiceDate : a), ''),
      ) + 1;
    const asOf = addWeeks(DATA_ORIGIN, end);
    const data = weeksOf(lines, end);
    const at = (day: string) => weekIndex(DATA_ORIGIN, day);
    const cuts = [...validation, test];
    const rows: HoldoutRow[] = cuts.map((cut, i) => {
      onProgress('held-out weeks', i, cuts.length + MEASURES.length);
      const until = cuts[i + 1] ?? asOf;
      return {
        cut,
        until,
        role: i < validation.length ? 'validation' : 'test',
        result: evaluateHoldout(data, at(cut), at(until)),
      };
    });
    const measures = MEASURES.map((maxUnits, i) => {
      onProgress('held-out weeks', cuts.length + i, cuts.length + MEASURES.length);
      return measureRow(maxUnits === RETAIL_LINE_MAX_UNITS ? data : weeksOf(lines, end, maxUnits), maxUnits, at(test));
    });
    onProgress('held-out weeks', cuts.length + MEASURES.length, cuts.length + MEASURES.length);
    log(`Building the artifact part at ${asOf}`);
    const started = performance.now();
    const part = await buildPricingPart(datasetDir, asOf);
    const partSeconds = (performance.now() - started) / 1000;
    const command = `npm run ml:evaluate -- ${process.argv.slice(2).join(' ')}`;
    const markdown = [
      `Produced by \`${command}\` in ${elapsed().toFixed(1)} s (Node ${process.version}, reading the dataset included).`,
      '',
      `${PRICE_RULE} ${FIT_RULE} ${UNIT_COST_RULE}`,
      '',
      `### Held-out weeks: fitted before each cut, scored after it at the prices charged`,
      '',
      holdoutTable(rows),
      '',
      `### Which lines measure the price (fitted before ${test}, scored ${test} to ${asOf})`,
      '',
      measureTable(measures),
      '',
      partSummary(part, partSeconds),
      '',
      examplesTable(examples(part, data, descriptions)),
    ].join('\n');
    await publishTables(markdown, 'pricing', options.readme, log);
  } catch (e) {
    log(`ml:evaluate: ${(e as Error).message}`);
    process.exitCode = EXIT.failed;
  }
}
