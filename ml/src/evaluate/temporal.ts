/**
 * The temporal protocol: train on the invoices before a cut-off, then predict each customer's next
 * invoice after it. Only customers with history before the cut-off are scored (the others get popularity
 * from every model; `coldCustomers` counts them).
 */
import { fromInvoices, parseCutoff, type CustomerHistory, type OrderHistory } from '../data';
import { meanMetrics, rankingMetrics, type RankingMetrics } from './metrics';

export interface TemporalCase {
  customerId: string;
  /** The customer's invoices before the cut-off. */
  history: CustomerHistory;
  /** Products bought before the cut-off. */
  bought: ReadonlySet<string>;
  /** Products of the customer's first invoice at or after the cut-off. */
  next: ReadonlySet<string>;
}

export interface TemporalSplit {
  cutoff: string;
  /** Targets come from invoices before this (exclusive), when given. */
  targetUntil?: string;
  train: OrderHistory;
  cases: TemporalCase[];
  coldCustomers: number;
}

export function temporalSplit(history: OrderHistory, cutoff: string, targetUntil?: string): TemporalSplit {
  const at = parseCutoff(cutoff);
  const end = targetUntil === undefined ? Infinity : parseCutoff(targetUntil);
  const train = fromInvoices(history.invoices.filter((i) => i.time < at));
  const trainByCustomer = new Map(train.customers.map((c) => [c.customerId, c]));
  const cases: TemporalCase[] = [];
  let coldCustomers = 0;
  for (const customer of history.customers) {
    const next = customer.invoices.find((i) => i.time >= at);
    if (!next || next.time >= end) continue;
    const past = trainByCustomer.get(customer.customerId);
    if (!past) {
      coldCustomers++;
      continue;
    }
    cases.push({
      customerId: customer.customerId,
      history: past,
      bought: new Set(past.invoices.flatMap((i) => i.lines.map((l) => l.productId))),
      next: new Set(next.lines.map((l) => l.productId)),
    });
  }
  return { cutoff, targetUntil, train, cases, coldCustomers };
}

/** A model under evaluation: the top `k` products for a case, none of `exclude`. */
export type Ranker = (c: TemporalCase, k: number, exclude: ReadonlySet<string>) => string[];

/**
 * 'all': the next invoice as it is, nothing excluded (repeat purchases count as hits).
 * 'new': products bought before the cut-off are excluded from the recommendations and from the target;
 * customers whose next invoice holds nothing new are left out.
 */
export type TemporalMode = 'all' | 'new';

export interface TemporalResult extends RankingMetrics {
  users: number;
}

const NOTHING: ReadonlySet<string> = new Set();

export function evaluateTemporal(split: TemporalSplit, ranker: Ranker, mode: TemporalMode, k = 10): TemporalResult {
  const results: RankingMetrics[] = [];
  for (const c of split.cases) {
    let target = c.next;
    if (mode === 'new') {
      target = new Set([...c.next].filter((id) => !c.bought.has(id)));
      if (target.size === 0) continue;
    }
    results.push(rankingMetrics(ranker(c, k, mode === 'new' ? c.bought : NOTHING), target, k));
  }
  return { ...meanMetrics(results), users: results.length };
}

/** The top `k` indices by score, skipping `skip(i)`; ties by index. */
export function topIndices(scores: ArrayLike<number>, k: number, skip?: (i: number) => boolean): number[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (skip?.(i)) continue;
    const s = scores[i];
    if (best.length === k && !(s > scores[best[k - 1]])) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && s > scores[best[at - 1]]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}
