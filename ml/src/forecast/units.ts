/**
 * Weekly units per product: the demand the forecasts learn from and are scored on. The rule is the issue's
 * and deliberately wider than the recommendations' CLEANING_RULES (ml/src/data.ts): stock is drawn down by
 * every sale, so lines without a CustomerID count too; returns, zero-priced lines and cancellations do not.
 */
import type { InvoiceLine } from '../../../catalog-data/invoice-lines';
import { weekIndex, weekStartOf } from './weeks';

/** The units rule, as recorded with every forecast. `isUnitsLine` is its code. */
export const UNITS_RULE =
  'Units per product-week: the sum of Quantity over lines with Quantity > 0, UnitPrice > 0 and an InvoiceNo ' +
  'not starting with "C"; StockCode upper-cased; ISO weeks Monday–Sunday on the data\'s UK local dates.';

/** Whether a line's quantity counts as units sold (see UNITS_RULE). */
export const isUnitsLine = (line: Pick<InvoiceLine, 'invoiceNo' | 'quantity' | 'unitPrice'>): boolean =>
  line.quantity > 0 && line.unitPrice > 0 && !/^c/i.test(line.invoiceNo);

/** Units per product per week from `origin` (a Monday), one array per product, week 0 = origin. */
export interface WeeklyUnits {
  origin: string;
  weeks: number;
  series: Map<string, Float64Array>;
}

/** Folds invoice lines into weekly units for the weeks [origin, origin + weeks); other lines are dropped. */
export class WeeklyUnitsBuilder {
  private readonly rows = new Map<string, Float64Array>();

  constructor(
    private readonly origin: string,
    private readonly weeks: number,
  ) {}

  add(line: Pick<InvoiceLine, 'invoiceNo' | 'quantity' | 'unitPrice' | 'stockCode' | 'invoiceDate'>): void {
    if (!isUnitsLine(line)) return;
    const week = weekIndex(this.origin, line.invoiceDate);
    if (week < 0 || week >= this.weeks) return;
    let row = this.rows.get(line.stockCode);
    if (!row) this.rows.set(line.stockCode, (row = new Float64Array(this.weeks)));
    row[week] += line.quantity;
  }

  build(): WeeklyUnits {
    const series = new Map([...this.rows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    return { origin: this.origin, weeks: this.weeks, series };
  }
}

/** The Monday of the first line's week, so that the first (partial) week is week 0. */
export const originOf = (firstDay: string): string => weekStartOf(firstDay);

/** Units of weeks [from, to) of every product, summed. */
export function totals(units: WeeklyUnits, from: number, to: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, row] of units.series) {
    let sum = 0;
    for (let w = Math.max(0, from); w < Math.min(to, row.length); w++) sum += row[w];
    out.set(id, sum);
  }
  return out;
}

/** The `n` products with the most units in weeks [from, to), ties by id; products with none left out. */
export function topProducts(units: WeeklyUnits, from: number, to: number, n: number): string[] {
  return [...totals(units, from, to)]
    .filter(([, sum]) => sum > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([id]) => id);
}
