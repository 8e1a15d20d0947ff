/**
 * The published protocol for this dataset (Steinweg-Woods, "A Gentle Introduction to Recommender Systems
 * with Implicit Feedback", 2016): the customer × product matrix of the whole history, a random 20 % of its
 * non-zero pairs masked (set to zero) for training; for every customer with a masked pair, the AUC of the
 * model's scores over the products they had not bought in training, the masked ones being the positives.
 * Reported: implicit ALS 0.870, popularity 0.814.
 */
import { isoDay } from '../data';
import { rankItems, type ModelArtifact } from '../model';
import { seededRandom, shuffle } from '../random';
import { alsScores, trainAls, type AlsOptions } from '../train/als';
import type { TrainingParameters } from '../train/build';
import { easeScores, trainEase } from '../train/ease';
import type { Interactions } from '../train/matrix';
import { cosineNeighbours, neighbourRecord } from '../train/neighbours';
import { round6 } from '../train/popularity';
import { aucOf } from './metrics';

export interface MaskedSplit {
  full: Interactions;
  /** The training matrix: `full` without the masked pairs (same rows and columns). */
  train: Interactions;
  /** Per row, the masked columns. */
  masked: Int32Array[];
  /** Rows with at least one masked pair. */
  altered: number[];
}

/** Masks ceil(fraction · pairs) pairs drawn uniformly without replacement with a seeded generator. */
export function maskPairs(full: Interactions, fraction: number, seed: number): MaskedSplit {
  const nnz = full.indices.length;
  const order = shuffle(
    Array.from({ length: nnz }, (_, e) => e),
    seededRandom(seed),
  );
  const isMasked = new Uint8Array(nnz);
  for (let s = 0; s < Math.ceil(fraction * nnz); s++) isMasked[order[s]] = 1;
  const indptr = [0];
  const keep: number[] = [];
  const masked: Int32Array[] = [];
  const altered: number[] = [];
  for (let u = 0; u < full.users.length; u++) {
    const rowMasked: number[] = [];
    for (let e = full.indptr[u]; e < full.indptr[u + 1]; e++) {
      if (isMasked[e]) rowMasked.push(full.indices[e]);
      else keep.push(e);
    }
    indptr.push(keep.length);
    masked.push(Int32Array.from(rowMasked));
    if (rowMasked.length) altered.push(u);
  }
  const pick = (values: Float64Array) => Float64Array.from(keep, (e) => values[e]);
  const train: Interactions = {
    ...full,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(keep, (e) => full.indices[e]),
    quantity: pick(full.quantity),
    invoices: pick(full.invoices),
    last: pick(full.last),
  };
  return { full, train, masked, altered };
}

/** Scores of every product (column) for a row. */
export type RowScorer = (row: number, out: Float64Array) => Float64Array;

/** The mean over altered rows of the AUC of `scorer` on the products not bought in training. */
export function meanAuc(split: MaskedSplit, scorer: RowScorer): { auc: number; users: number } {
  const n = split.full.items.length;
  const out: Float64Array = new Float64Array(n);
  const inTrain = new Uint8Array(n);
  const isPositive = new Uint8Array(n);
  let sum = 0;
  let users = 0;
  for (const u of split.altered) {
    const { indptr, indices } = split.train;
    for (let e = indptr[u]; e < indptr[u + 1]; e++) inTrain[indices[e]] = 1;
    for (const j of split.masked[u]) isPositive[j] = 1;
    const scores = scorer(u, out);
    const pos: number[] = [];
    const neg: number[] = [];
    for (let j = 0; j < n; j++) if (!inTrain[j]) (isPositive[j] ? pos : neg).push(scores[j]);
    const value = aucOf(Float64Array.from(pos), Float64Array.from(neg));
    if (Number.isFinite(value)) {
      sum += value;
      users++;
    }
    for (let e = indptr[u]; e < indptr[u + 1]; e++) inTrain[indices[e]] = 0;
    for (const j of split.masked[u]) isPositive[j] = 0;
  }
  return { auc: users ? sum / users : NaN, users };
}

/** Popularity: customers per product in `m` (binary column sums), the same for every row. */
export function popularityScorer(m: Interactions): RowScorer {
  const counts = new Float64Array(m.items.length);
  for (const j of m.indices) counts[j]++;
  return (_row, out) => {
    out.set(counts);
    return out;
  };
}

/** Implicit ALS on the training matrix, `value` the feedback per pair ('quantity' as published, or 'invoices'). */
export function alsScorer(split: MaskedSplit, options: AlsOptions, value: 'quantity' | 'invoices'): RowScorer {
  const m = split.train;
  const model = trainAls(m.users.length, m.items.length, m.indptr, m.indices, m[value], options);
  return (row, out) => alsScores(model, row, m.items.length, out);
}

/** EASE on the binary training matrix. */
export function easeScorer(split: MaskedSplit, lambda: number): RowScorer {
  const m = split.train;
  const rows = Array.from(m.users, (_, u) => m.indices.subarray(m.indptr[u], m.indptr[u + 1]));
  const model = trainEase(rows, m.items.length, lambda);
  return (row, out) => easeScores(model, rows[row], out);
}

const DAY_MS = 86_400_000;

/**
 * The served model trained on the masked matrix: popularity (recency-weighted, customers counted at their
 * latest purchase, as `trainPopularity` does) and cosine neighbours over customers, with `parameters`.
 */
export function maskedArtifact(split: MaskedSplit, parameters: Required<TrainingParameters>): ModelArtifact {
  const m = split.train;
  let end = 0;
  for (const t of m.last) if (t > end) end = t;
  end = Math.floor(end / DAY_MS) * DAY_MS + DAY_MS;
  const scores = new Float64Array(m.items.length);
  for (let e = 0; e < m.indices.length; e++)
    scores[m.indices[e]] += Math.pow(0.5, (end - m.last[e]) / DAY_MS / parameters.popularityHalfLifeDays);
  const popularity = [...scores]
    .map((s, j) => [m.items[j], round6(s)] as [string, number])
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const rows = Array.from(m.users, (_, u) => m.indices.subarray(m.indptr[u], m.indptr[u + 1]));
  const neighbours = neighbourRecord(
    cosineNeighbours(rows, m.items.length, { k: parameters.neighbours, shrink: parameters.neighbourShrink }),
    m.items,
  );
  return {
    format: 'ecicomm-recs/1',
    version: 'masked',
    trainedAt: new Date(0).toISOString(),
    dataWindow: { from: '', until: isoDay(end), invoices: 0, customers: m.users.length, items: m.items.length },
    cleaning: '',
    parameters,
    popularity,
    neighbours,
  };
}

/**
 * `recommend`'s scores (unrounded) for every product, the row's training pairs as its history: each pair
 * one entry per invoice it was on, dated at its latest invoice.
 */
export function artifactScorer(split: MaskedSplit, artifact: ModelArtifact): RowScorer {
  const m = split.train;
  const n = m.items.length;
  return (row, out) => {
    out.fill(0);
    const history: { productId: string; at: string }[] = [];
    for (let e = m.indptr[row]; e < m.indptr[row + 1]; e++) {
      const at = new Date(m.last[e]).toISOString();
      for (let c = 0; c < m.invoices[e]; c++) history.push({ productId: m.items[m.indices[e]], at });
    }
    for (const [id, score] of rankItems(artifact, { history, k: n })) out[m.itemIndex.get(id)!] = score;
    return out;
  };
}
