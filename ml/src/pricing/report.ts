/** The markdown of ml:evaluate --task pricing: held-out tables, the price-measure check, example products. */
import type { PricingEntry, PricingPart } from '../insights/contract';
import type { Calibration } from './calibrate';
import type { HoldoutErrors, HoldoutGroup, HoldoutResult } from './holdout';
import { suggestPrice } from './suggest';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const pair = (a: HoldoutErrors, b: HoldoutErrors) =>
  `${f3(a.rmseLog)} | ${f3(b.rmseLog)} | ${f3(a.wape)} | ${f3(b.wape)}`;
const groupCells = (g: HoldoutGroup) => `${g.products} | ${g.productWeeks} | ${pair(g.withPrice, g.withoutPrice)}`;

export interface HoldoutRow {
  cut: string;
  until: string;
  role: string;
  result: HoldoutResult;
}

/** One row per cut and scored group. */
export function holdoutTable(rows: HoldoutRow[]): string {
  const groups: ['all' | 'significant' | 'priceMoved', string][] = [
    ['all', 'all fitted'],
    ['significant', 'interval excludes 0'],
    ['priceMoved', 'weeks priced > 1 % off the usual'],
  ];
  return [
    '| cut (role) | scored weeks | fitted / interval excl. 0 (widening) | products scored | product-weeks | RMSE log units, with price | without | WAPE, with price | without |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.flatMap((r) =>
      groups.map(
        ([key, label]) =>
          `| ${r.cut} (${r.role}) | ${r.cut} to ${r.until}, ${label} | ${r.result.fitted} / ${r.result.excludesZero} (×${f2(r.result.calibration.factor)}) | ${groupCells(r.result[key])} |`,
      ),
    ),
  ].join('\n');
}

export interface MeasureRow {
  label: string;
  fitted: number;
  excludesZero: number;
  medianElasticity: number;
  result: HoldoutResult;
}

/** How the elasticities and the held-out errors move with the lines the week's price is measured on. */
export function measureTable(rows: MeasureRow[]): string {
  return [
    "| week's price measured on | fitted | interval excl. 0 | median elasticity | RMSE log units, with price | without | WAPE, with price | without |",
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.fitted} | ${r.excludesZero} | ${f2(r.medianElasticity)} | ${pair(r.result.all.withPrice, r.result.all.withoutPrice)} |`,
    ),
  ].join('\n');
}

export interface Example {
  id: string;
  description: string;
  entry: PricingEntry;
  currentPrice: number;
}

const estimate = (e: PricingEntry) =>
  e.elasticity === undefined ? '–' : `${f2(e.elasticity)} [${f2(e.interval![0])}, ${f2(e.interval![1])}]`;

/** Example products with what the endpoint would answer at their last price. */
export function examplesTable(examples: Example[]): string {
  return [
    '| product | weeks | elasticity [95 %] | prices charged | unit cost | last price | suggestion |',
    '|---|---|---|---|---|---|---|',
    ...examples.map(({ id, description, entry: e, currentPrice }) => {
      const s = suggestPrice(e, currentPrice);
      return `| ${id} ${description.toLowerCase()} | ${e.observations} | ${estimate(e)} | £${f2(e.minObservedPrice)}–£${f2(e.maxObservedPrice)} | £${f2(e.unitCost)} | £${f2(currentPrice)} | ${s.reason} |`;
    }),
  ].join('\n');
}

/** The part's counts in a sentence. */
export function partSummary(part: PricingPart, seconds: number): string {
  const m = part.metrics as Record<string, number | string>;
  const c = part.metrics.intervalCalibration as Calibration;
  return (
    `Artifact part at asOf ${String(m.asOf)} (\`buildPricingPart\` over the whole dataset, reading included: ${seconds.toFixed(1)} s): ` +
    `${m.productsWithSales} products with sales, ${m.productsFitted} fitted, ${m.intervalExcludesZero} with an interval excluding zero ` +
    `(${m.elastic} elastic, e < −1; ${m.inelastic} inelastic, −1 ≤ e < 0; ${m.positive} positive, no suggestion). ` +
    `Placebo: ${(c.placeboRate * 100).toFixed(0)} % of ${c.placeboFits} placebo intervals excluded zero before widening; intervals widened ×${c.factor.toFixed(2)}.`
  );
}
