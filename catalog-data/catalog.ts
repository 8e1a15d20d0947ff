/**
 * The catalog the dataset implies: one product per merchandise StockCode, named, categorised and stocked
 * from its invoice lines.
 */
import { brandOf } from './brands';
import { categorize } from './categorize';
import type { Category } from './categories';
import type { InvoiceLine } from './invoice-lines';
import { isMerchandiseCode, isMerchandiseDescription } from './merchandise';
import { describeProduct, titleCase } from './product-text';

export interface SeedProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: Category;
  brand: string;
  /** Integer minor units (pence). */
  price: number;
  currency: 'GBP';
  /** Distinct invoices that sold the product. */
  popularity: number;
  initialStock: number;
  /** ISO 8601, UTC. */
  createdAt: string;
}

interface Tally {
  code: string;
  firstSeen: string;
  /** Latest description on a line with a price (zero-priced lines carry notes such as 'ebay' or 'damaged'). */
  description: string;
  descriptionAt: string;
  /** Latest description on any line: the fallback. */
  anyDescription: string;
  anyDescriptionAt: string;
  price: number;
  priceAt: string;
  /** From cancellation lines: the fallbacks for a code only ever cancelled. */
  cancelledPrice: number;
  cancelledDescription: string;
  invoices: Set<number>;
  /** Units sold per day (days since the epoch), net of cancellations. */
  unitsByDay: Map<number, number>;
}

const DAY_MS = 86_400_000;
/** Days the recent demand is measured over, back from the last day of data. */
export const DEMAND_WINDOW_DAYS = 30;

/** Stock on hand at seeding: 1.5× the units sold in the last 30 days of data, between 10 and 5,000. */
export const stockFromDemand = (recentUnits: number) => Math.min(5000, Math.max(10, Math.round(recentUnits * 1.5)));

/**
 * Folds invoice lines into one product per merchandise StockCode: latest description and latest price
 * (lines priced at least half a penny), distinct invoices that sold it, first date seen, and units sold
 * per day for the stock figure.
 */
export class CatalogBuilder {
  private readonly tallies = new Map<string, Tally>();
  private readonly invoiceIds = new Map<string, number>();
  private lastDay = -Infinity;
  private lastDate = '';
  private lastDateDay = 0;

  add(l: InvoiceLine): void {
    const code = l.stockCode;
    let t = this.tallies.get(code);
    if (!t) {
      if (!isMerchandiseCode(code)) return;
      t = {
        code,
        firstSeen: l.invoiceDate,
        description: '',
        descriptionAt: '',
        anyDescription: '',
        anyDescriptionAt: '',
        price: 0,
        priceAt: '',
        cancelledPrice: 0,
        cancelledDescription: '',
        invoices: new Set(),
        unitsByDay: new Map(),
      };
      this.tallies.set(code, t);
    }
    const at = l.invoiceDate;
    if (at < t.firstSeen) t.firstSeen = at;
    if (l.description && at >= t.anyDescriptionAt) {
      t.anyDescription = l.description;
      t.anyDescriptionAt = at;
    }
    // Prices under half a penny ('PADS' at £0.001) round to nothing: not a sale price.
    if (!(l.unitPrice >= 0.005)) return;
    if (l.cancelled) {
      // A cancellation takes back units sold (the 80,995 'PAPER CRAFT , LITTLE BIRDIE' of 9 Dec 2011).
      if (!t.cancelledPrice) t.cancelledPrice = l.unitPrice;
      if (!t.cancelledDescription) t.cancelledDescription = l.description;
      if (l.quantity < 0) this.addUnits(t, at, l.quantity);
      return;
    }
    if (l.description && at >= t.descriptionAt) {
      t.description = l.description;
      t.descriptionAt = at;
    }
    if (at >= t.priceAt) {
      t.price = l.unitPrice;
      t.priceAt = at;
    }
    if (l.quantity <= 0) return;
    let invoice = this.invoiceIds.get(l.invoiceNo);
    if (invoice === undefined) this.invoiceIds.set(l.invoiceNo, (invoice = this.invoiceIds.size));
    t.invoices.add(invoice);
    this.addUnits(t, at, l.quantity);
  }

  private addUnits(t: Tally, at: string, units: number): void {
    if (at.slice(0, 10) !== this.lastDate) {
      this.lastDate = at.slice(0, 10);
      this.lastDateDay = Math.floor(Date.parse(`${this.lastDate}T00:00:00Z`) / DAY_MS);
    }
    const day = this.lastDateDay;
    if (day > this.lastDay) this.lastDay = day;
    t.unitsByDay.set(day, (t.unitsByDay.get(day) ?? 0) + units);
  }

  /** The products, by id. Codes never sold at a price, and service lines, are left out. */
  products(): SeedProduct[] {
    const products: SeedProduct[] = [];
    const windowStart = this.lastDay - DEMAND_WINDOW_DAYS;
    for (const t of this.tallies.values()) {
      const price = Math.round((t.price || t.cancelledPrice) * 100);
      if (price <= 0) continue; // only ever billed at zero: adjustments, not products
      const raw = t.description || t.cancelledDescription || t.anyDescription;
      if (!raw || !isMerchandiseDescription(raw)) continue;
      const name = titleCase(raw);
      if (!name) continue;
      const category = categorize(raw);
      const brand = brandOf(raw);
      let recentUnits = 0;
      for (const [day, units] of t.unitsByDay) if (day > windowStart) recentUnits += units;
      recentUnits = Math.max(0, recentUnits);
      products.push({
        id: t.code,
        sku: t.code,
        name,
        description: describeProduct(name, category, brand),
        category,
        brand,
        price,
        currency: 'GBP',
        popularity: t.invoices.size,
        initialStock: stockFromDemand(recentUnits),
        createdAt: t.firstSeen,
      });
    }
    return products.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

/** Builds the catalog from invoice lines (any source: the dataset, or lines a test makes up). */
export async function buildCatalog(lines: AsyncIterable<InvoiceLine> | Iterable<InvoiceLine>): Promise<SeedProduct[]> {
  const builder = new CatalogBuilder();
  if (Symbol.iterator in lines) for (const l of lines) builder.add(l);
  else for await (const l of lines) builder.add(l);
  return builder.products();
}
