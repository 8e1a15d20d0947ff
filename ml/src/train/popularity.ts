/** Popularity: how many customers bought each product, each purchase weighted by its recency. */
import type { OrderHistory } from '../data';

const DAY_MS = 86_400_000;

export interface PopularityOptions {
  /** A purchase this many days before `end` counts half. `Infinity`: plain counts. */
  halfLifeDays: number;
  /** Epoch milliseconds that ages are measured back from (the training window's end). */
  end: number;
  /**
   * 'customers': each customer counts once per product, at their latest purchase of it (a wholesaler
   * reordering a product every week does not make it popular); 'invoices': every invoice counts.
   */
  basis?: 'customers' | 'invoices';
}

/** Six significant digits: enough to rank by, and a compact artifact. */
export const round6 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(6)));

/** Products by recency-weighted popularity, best first (ties by id). */
export function trainPopularity(history: OrderHistory, options: PopularityOptions): [string, number][] {
  const { halfLifeDays, end, basis = 'customers' } = options;
  const decay = (time: number) =>
    Number.isFinite(halfLifeDays) ? Math.pow(0.5, Math.max(0, end - time) / DAY_MS / halfLifeDays) : 1;
  const scores = new Map<string, number>();
  if (basis === 'invoices') {
    for (const invoice of history.invoices) {
      const w = decay(invoice.time);
      for (const line of invoice.lines) scores.set(line.productId, (scores.get(line.productId) ?? 0) + w);
    }
  } else {
    for (const customer of history.customers) {
      const latest = new Map<string, number>();
      for (const invoice of customer.invoices)
        for (const line of invoice.lines) latest.set(line.productId, invoice.time);
      for (const [id, time] of latest) scores.set(id, (scores.get(id) ?? 0) + decay(time));
    }
  }
  return [...scores]
    .map(([id, score]) => [id, round6(score)] as [string, number])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
