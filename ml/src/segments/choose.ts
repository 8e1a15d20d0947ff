/**
 * Choosing k: k-means for each k in a range, scored by the mean silhouette on a seeded sample; the k with
 * the highest silhouette is chosen (the criterion is stated in the artifact's metrics).
 */
import { kmeans, type KMeansResult } from './kmeans';
import { silhouette } from './silhouette';

export interface KChoice {
  k: number;
  fit: KMeansResult;
  /** Per k tried: silhouette, inertia and the fit's labels. */
  byK: { k: number; silhouette: number; inertia: number; labels: number[] }[];
}

export interface ChooseOptions {
  ks: number[];
  seed: number;
  restarts: number;
  silhouetteSample: number;
}

export const SILHOUETTE_CRITERION = (sample: number) =>
  `highest mean silhouette (Euclidean, standardised log1p features) on a seeded sample of ${sample} customers`;

/**
 * k ≤ the number of customers; a history with fewer customers than the smallest k (a test's tiny dataset)
 * still gets two segments, the contract's minimum. Fewer than two customers cannot be segmented.
 */
export function chooseK(points: number[][], options: ChooseOptions): KChoice {
  if (points.length < 2) throw new Error(`Segments: ${points.length} customers; at least 2 are needed`);
  const fitting = options.ks.filter((k) => k <= points.length);
  const ks = fitting.length > 0 ? fitting : [2];
  let best: KChoice | undefined;
  const byK: KChoice['byK'] = [];
  let bestScore = -Infinity;
  for (const k of ks) {
    const fit = kmeans(points, k, { seed: options.seed, restarts: options.restarts });
    const score = silhouette(points, fit.labels, { sample: options.silhouetteSample, seed: options.seed });
    byK.push({ k, silhouette: score, inertia: fit.inertia, labels: fit.labels });
    if (score > bestScore) {
      bestScore = score;
      best = { k, fit, byK };
    }
  }
  return { ...best!, byK };
}
