/** From a cleaned order history to the model artifact: popularity and item-to-item neighbours, plus the blend's parameters. */
import { createHash } from 'node:crypto';
import { CLEANING_RULES, isoDay, type OrderHistory } from '../data';
import type { ModelArtifact } from '../model';
import { customerBaskets, interactions, invoiceBaskets } from './matrix';
import { cosineNeighbours, neighbourRecord } from './neighbours';
import { trainPopularity } from './popularity';

export type TrainingParameters = ModelArtifact['parameters'];

/**
 * The served parameters, chosen on two validation splits (train before 2011-04-01, each customer's next
 * invoice before 2011-06-01; train before 2011-06-01, next invoice before 2011-09-01) by the coordinate
 * ascent of `npm run ml:evaluate` (ml/src/evaluate/tune.ts), which starts from these and reports whether it
 * still lands on them. The test split (after 2011-09-01) played no part. See ml/README.md.
 */
export const DEFAULT_PARAMETERS: Required<TrainingParameters> = {
  personalWeight: 1,
  neighbourWeight: 2,
  popularityWeight: 1,
  recencyHalfLifeDays: 730,
  neighbours: 10,
  popularityHalfLifeDays: 5,
  neighbourBasis: 'customers',
  neighbourShrink: 2,
  popularityBasis: 'customers',
  personalFirst: true,
};

export interface BuildOptions {
  parameters?: Partial<TrainingParameters>;
  /** The data window's end (exclusive), epoch ms: recency is measured back from it. Default: a day after the last invoice. */
  until?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Fixes `trainedAt` (tests, reproducible artifacts). */
  now?: Date;
}

const DAY_MS = 86_400_000;

/** The artifact of an order history. Pure apart from the clock (`now`). */
export function buildArtifact(history: OrderHistory, options: BuildOptions = {}): ModelArtifact {
  const parameters: Required<TrainingParameters> = { ...DEFAULT_PARAMETERS, ...options.parameters };
  const { invoices } = history;
  const first = invoices[0]?.time ?? 0;
  const last = invoices.at(-1)?.time ?? 0;
  const until = options.until ?? (invoices.length ? Math.floor(last / DAY_MS) * DAY_MS + DAY_MS : 0);

  const popularity = trainPopularity(history, {
    halfLifeDays: parameters.popularityHalfLifeDays,
    end: until,
    basis: parameters.popularityBasis,
  });
  options.onProgress?.('popularity', 1, 1);

  const m = interactions(history);
  const baskets = parameters.neighbourBasis === 'invoices' ? invoiceBaskets(history, m.itemIndex) : customerBaskets(m);
  const lists = cosineNeighbours(baskets, m.items.length, {
    k: parameters.neighbours,
    shrink: parameters.neighbourShrink,
    onProgress: (done, total) => options.onProgress?.('neighbours', done, total),
  });
  const neighbours = neighbourRecord(lists, m.items);

  const hash = createHash('sha256').update(JSON.stringify(parameters));
  for (const invoice of invoices)
    hash.update(
      `${invoice.invoiceNo}|${invoice.customerId}|${invoice.at}|${invoice.lines.map((l) => `${l.productId}:${l.quantity}`).join(',')}\n`,
    );
  const untilDay = isoDay(until);

  return {
    format: 'ecicomm-recs/1',
    version: `${untilDay}.blend.${hash.digest('hex').slice(0, 6)}`,
    trainedAt: (options.now ?? new Date()).toISOString(),
    dataWindow: {
      from: invoices.length ? isoDay(first) : untilDay,
      until: untilDay,
      invoices: invoices.length,
      customers: history.customers.length,
      items: m.items.length,
    },
    cleaning: CLEANING_RULES,
    parameters,
    popularity,
    neighbours,
  };
}
