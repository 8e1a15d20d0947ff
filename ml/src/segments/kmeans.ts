/**
 * k-means (Lloyd's iterations) with k-means++ seeding from a seeded generator, best of a few restarts by
 * inertia. Hand-written: it is a few dozen lines and the seeding must use ml/src/random.ts so that runs
 * are reproducible and stability across seeds can be measured.
 */
import { seededRandom } from '../random';

export interface KMeansOptions {
  seed: number;
  /** Restarts (each its own k-means++ seeding); the lowest inertia wins. */
  restarts?: number;
  maxIterations?: number;
}

export interface KMeansResult {
  centroids: number[][];
  labels: number[];
  /** Sum of squared distances to the assigned centroid. */
  inertia: number;
}

export function squaredDistance(a: number[], b: number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return s;
}

/** The index of the centroid nearest to `point` (the first on ties). */
export function nearest(centroids: number[][], point: number[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centroids.forEach((c, i) => {
    const d = squaredDistance(c, point);
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  return best;
}

/** k-means++: the first centre uniform, each next one drawn with probability ∝ squared distance to the nearest. */
function seedCentroids(points: number[][], k: number, random: () => number): number[][] {
  const centroids = [points[Math.floor(random() * points.length)]];
  const distances = points.map((p) => squaredDistance(p, centroids[0]));
  while (centroids.length < k) {
    const total = distances.reduce((a, b) => a + b, 0);
    let target = random() * total;
    let pick = points.length - 1;
    for (let i = 0; i < points.length; i++) {
      target -= distances[i];
      if (target <= 0 && distances[i] > 0) {
        pick = i;
        break;
      }
    }
    centroids.push(points[pick]);
    points.forEach((p, i) => (distances[i] = Math.min(distances[i], squaredDistance(p, points[pick]))));
  }
  return centroids.map((c) => [...c]);
}

function lloyd(points: number[][], initial: number[][], maxIterations: number): KMeansResult {
  const k = initial.length;
  const d = points[0].length;
  let centroids = initial;
  let labels = points.map((p) => nearest(centroids, p));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const sums = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    const counts = new Array<number>(k).fill(0);
    points.forEach((p, i) => {
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[labels[i]][j] += p[j];
    });
    // An emptied cluster restarts at the point farthest from its centre, so k clusters stay k.
    centroids = sums.map((s, c) =>
      counts[c] > 0 ? s.map((x) => x / counts[c]) : [...farthest(points, centroids, labels)],
    );
    const next = points.map((p) => nearest(centroids, p));
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    if (!changed) break;
  }
  const inertia = points.reduce((s, p, i) => s + squaredDistance(p, centroids[labels[i]]), 0);
  return { centroids, labels, inertia };
}

function farthest(points: number[][], centroids: number[][], labels: number[]): number[] {
  let best = points[0];
  let bestDistance = -1;
  points.forEach((p, i) => {
    const dist = squaredDistance(p, centroids[labels[i]]);
    if (dist > bestDistance) [best, bestDistance] = [p, dist];
  });
  return best;
}

/** Clusters `points` into `k` groups. */
export function kmeans(points: number[][], k: number, options: KMeansOptions): KMeansResult {
  if (k < 1 || k > points.length) throw new Error(`k-means: k ${k} for ${points.length} points`);
  const random = seededRandom(options.seed);
  let best: KMeansResult | undefined;
  for (let r = 0; r < (options.restarts ?? 5); r++) {
    const result = lloyd(points, seedCentroids(points, k, random), options.maxIterations ?? 100);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best!;
}
