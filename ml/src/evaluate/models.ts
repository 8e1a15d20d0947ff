/** The models under evaluation, as rankers over temporal cases. */
import { requestHistory } from '../data';
import { recommend, type ModelArtifact } from '../model';
import { alsScores, trainAls, type AlsOptions } from '../train/als';
import { easeScores, trainEase } from '../train/ease';
import { customerBaskets, interactions, type Interactions } from '../train/matrix';
import { topIndices, type Ranker, type TemporalSplit } from './temporal';

/** The served scoring: `recommend()` on the artifact, with the customer's history. */
export function artifactRanker(artifact: ModelArtifact): Ranker {
  return (c, k, exclude) =>
    recommend(artifact, { history: requestHistory(c.history), k, exclude: [...exclude] }).items.map((i) => i.productId);
}

/** Popularity alone: `recommend()` with no history. */
export function popularityRanker(artifact: ModelArtifact): Ranker {
  return (_c, k, exclude) =>
    recommend(artifact, { history: [], k, exclude: [...exclude] }).items.map((i) => i.productId);
}

/** The artifact with other blend weights (e.g. one component alone, popularity only filling in). */
export const withWeights = (artifact: ModelArtifact, weights: Partial<ModelArtifact['parameters']>): ModelArtifact => ({
  ...artifact,
  parameters: { ...artifact.parameters, ...weights },
});

/** Scores over the training matrix's products, by customer row. */
type Scorer = (row: number, out: Float64Array) => Float64Array;

function scoreRanker(m: Interactions, scorer: Scorer, fallback: Ranker): Ranker {
  const rowOf = new Map(m.users.map((u, i) => [u, i]));
  const out: Float64Array = new Float64Array(m.items.length);
  return (c, k, exclude) => {
    const row = rowOf.get(c.customerId);
    if (row === undefined) return fallback(c, k, exclude);
    const scores = scorer(row, out);
    return topIndices(scores, k, (i) => exclude.has(m.items[i])).map((i) => m.items[i]);
  };
}

/** Implicit ALS on the training window's customer × product matrix (confidence from invoice counts). */
export function alsRanker(split: TemporalSplit, options: AlsOptions, fallback: Ranker): Ranker {
  const m = interactions(split.train);
  const model = trainAls(m.users.length, m.items.length, m.indptr, m.indices, m.invoices, options);
  return scoreRanker(m, (row, out) => alsScores(model, row, m.items.length, out), fallback);
}

/**
 * EASE on the training window (binary customer × product). Its zero diagonal scores a customer's own
 * products only through their other products.
 */
export function easeRanker(split: TemporalSplit, lambda: number, fallback: Ranker): Ranker {
  const m = interactions(split.train);
  const rows = customerBaskets(m);
  const model = trainEase(rows, m.items.length, lambda);
  return scoreRanker(m, (row, out) => easeScores(model, rows[row], out), fallback);
}
