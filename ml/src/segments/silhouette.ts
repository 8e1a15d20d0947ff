/**
 * The mean silhouette (Rousseeuw, 1987) of a labelling over a seeded sample of the points: for each sampled
 * point, (b − a) / max(a, b), a its mean distance to its own cluster's sampled points, b the smallest mean
 * distance to another cluster's. Exact silhouette is O(n²); a sample of a few thousand keeps it well under a
 * second and its error small.
 */
import { seededRandom, shuffle } from '../random';

export function silhouette(points: number[][], labels: number[], options: { sample: number; seed: number }): number {
  const indices = shuffle(
    points.map((_, i) => i),
    seededRandom(options.seed),
  ).slice(0, options.sample);
  const k = Math.max(...labels) + 1;
  let total = 0;
  let counted = 0;
  for (const i of indices) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (const j of indices) {
      if (j === i) continue;
      let s = 0;
      for (let f = 0; f < points[i].length; f++) s += (points[i][f] - points[j][f]) ** 2;
      sums[labels[j]] += Math.sqrt(s);
      counts[labels[j]]++;
    }
    const own = labels[i];
    // A point alone in its cluster (within the sample) has silhouette 0 by convention.
    if (counts[own] === 0) {
      counted++;
      continue;
    }
    const a = sums[own] / counts[own];
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    if (Number.isFinite(b)) total += (b - a) / Math.max(a, b, 1e-12);
    counted++;
  }
  return counted > 0 ? total / counted : 0;
}
