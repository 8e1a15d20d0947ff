/**
 * Product-weeks with units and the price paid (see PRICE_RULE): what the demand curves are fitted on.
 */
import type { InvoiceLine } from '../../../catalog-data/invoice-lines';
import { isMerchandiseLine } from '../../../catalog-data/merchandise';
import { isUnitsLine } from '../forecast/units';
import { weekIndex } from '../forecast/weeks';
import { RETAIL_LINE_MAX_UNITS } from './rules';

export type PriceLine = Pick<
  InvoiceLine,
  'invoiceNo' | 'stockCode' | 'description' | 'quantity' | 'unitPrice' | 'invoiceDate' | 'customerId'
>;

/** One product's weeks: units (0 without sales) and price (NaN without a retail-size line). */
export interface ProductWeeks {
  units: Float64Array;
  price: Float64Array;
  /** Units-weighted mean price of all its units lines, any size or buyer, NaN without sales: the fallback range. */
  anyPrice: Float64Array;
}

export interface PriceWeeks {
  /** Week 0's Monday. */
  origin: string;
  weeks: number;
  products: Map<string, ProductWeeks>;
}

interface Sums {
  units: Float64Array;
  retailUnits: Float64Array;
  retailRevenue: Float64Array;
  allUnits: Float64Array;
  allRevenue: Float64Array;
}

/** Folds invoice lines into product-weeks for weeks [origin, origin + weeks); other lines are dropped. */
export class PriceWeeksBuilder {
  private readonly sums = new Map<string, Sums>();

  constructor(
    readonly origin: string,
    readonly weeks: number,
    /** Lines of at most this many units measure the week's price. */
    readonly retailLineMaxUnits = RETAIL_LINE_MAX_UNITS,
  ) {}

  add(line: PriceLine): void {
    if (!isUnitsLine(line) || !isMerchandiseLine(line.stockCode, line.description)) return;
    const week = weekIndex(this.origin, line.invoiceDate);
    if (week < 0 || week >= this.weeks) return;
    let s = this.sums.get(line.stockCode);
    if (!s) {
      const row = () => new Float64Array(this.weeks);
      s = { units: row(), retailUnits: row(), retailRevenue: row(), allUnits: row(), allRevenue: row() };
      this.sums.set(line.stockCode, s);
    }
    s.allUnits[week] += line.quantity;
    s.allRevenue[week] += line.quantity * line.unitPrice;
    if (!line.customerId) return;
    s.units[week] += line.quantity;
    if (line.quantity <= this.retailLineMaxUnits) {
      s.retailUnits[week] += line.quantity;
      s.retailRevenue[week] += line.quantity * line.unitPrice;
    }
  }

  build(): PriceWeeks {
    const products = new Map<string, ProductWeeks>();
    const ids = [...this.sums.keys()].sort();
    for (const id of ids) {
      const s = this.sums.get(id)!;
      const price = s.retailRevenue.map((r, w) => (s.retailUnits[w] > 0 ? r / s.retailUnits[w] : NaN));
      const anyPrice = s.allRevenue.map((r, w) => (s.allUnits[w] > 0 ? r / s.allUnits[w] : NaN));
      products.set(id, { units: s.units, price, anyPrice });
    }
    return { origin: this.origin, weeks: this.weeks, products };
  }
}

/** A product's usable weeks in [from, to): sales and a retail price. */
export function observedWeeks(p: ProductWeeks, from: number, to: number): number[] {
  const out: number[] = [];
  for (let w = Math.max(0, from); w < Math.min(to, p.units.length); w++)
    if (p.units[w] > 0 && Number.isFinite(p.price[w])) out.push(w);
  return out;
}
