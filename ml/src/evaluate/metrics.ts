/** Ranking metrics at a cut-off, and per-user AUC. */

export interface RankingMetrics {
  hr: number;
  precision: number;
  recall: number;
  ndcg: number;
}

/** HR@k, Precision@k, Recall@k and NDCG@k (binary relevance) of one ranked list against a target set. */
export function rankingMetrics(ranked: readonly string[], target: ReadonlySet<string>, k: number): RankingMetrics {
  let hits = 0;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) {
    if (target.has(ranked[r])) {
      hits++;
      dcg += 1 / Math.log2(r + 2);
    }
  }
  let idcg = 0;
  for (let r = 0; r < Math.min(k, target.size); r++) idcg += 1 / Math.log2(r + 2);
  return {
    hr: hits > 0 ? 1 : 0,
    precision: hits / k,
    recall: target.size ? hits / target.size : 0,
    ndcg: idcg ? dcg / idcg : 0,
  };
}

/** The mean of each metric. */
export function meanMetrics(all: RankingMetrics[]): RankingMetrics {
  const sum = { hr: 0, precision: 0, recall: 0, ndcg: 0 };
  for (const m of all) {
    sum.hr += m.hr;
    sum.precision += m.precision;
    sum.recall += m.recall;
    sum.ndcg += m.ndcg;
  }
  const n = all.length || 1;
  return { hr: sum.hr / n, precision: sum.precision / n, recall: sum.recall / n, ndcg: sum.ndcg / n };
}

/** The number of values in sorted `a` below `x` (strictly, or with `orEqual` at most `x`). */
function bound(a: Float64Array, x: number, orEqual: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x || (orEqual && a[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Area under the ROC curve for ranking `positives` above `negatives` (scores): the probability that a
 * random positive outscores a random negative, ties counting one half (Mann–Whitney). NaN without both.
 */
export function aucOf(positives: Float64Array, negatives: Float64Array): number {
  if (!positives.length || !negatives.length) return NaN;
  const sorted = Float64Array.from(negatives).sort();
  let wins = 0;
  for (const s of positives) {
    const below = bound(sorted, s, false);
    wins += below + (bound(sorted, s, true) - below) / 2;
  }
  return wins / (positives.length * negatives.length);
}

/** `aucOf` with the positives marked among one array of scores. */
export function auc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (positive[i] ? pos : neg).push(scores[i]);
  return aucOf(Float64Array.from(pos), Float64Array.from(neg));
}
