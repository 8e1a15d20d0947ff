import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { adjustedRandIndex } from '../../ml/src/segments/ari';
import { chooseK } from '../../ml/src/segments/choose';
import { kmeans, nearest } from '../../ml/src/segments/kmeans';
import { silhouette } from '../../ml/src/segments/silhouette';
import { stability } from '../../ml/src/segments/stability';
import { seededRandom } from '../../ml/src/random';

/** `perBlob` points around each centre, uniform noise of ±`noise`. */
function blobs(centres: number[][], perBlob: number, noise: number, seed = 1) {
  const random = seededRandom(seed);
  const points: number[][] = [];
  const truth: number[] = [];
  centres.forEach((c, label) => {
    for (let i = 0; i < perBlob; i++) {
      points.push(c.map((x) => x + (random() * 2 - 1) * noise));
      truth.push(label);
    }
  });
  return { points, truth };
}

const CENTRES = [
  [0, 0, 0],
  [10, 0, 0],
  [0, 10, 5],
];

describe('k-means', () => {
  it('recovers obvious clusters, whatever the seed', () => {
    const { points, truth } = blobs(CENTRES, 40, 1);
    for (const seed of [0, 1, 2]) {
      const fit = kmeans(points, 3, { seed });
      expect(adjustedRandIndex(truth, fit.labels)).toBe(1);
      const found = fit.centroids.map((c) => CENTRES.findIndex((t) => t.every((x, j) => Math.abs(x - c[j]) < 0.5)));
      expect([...found].sort()).toEqual([0, 1, 2]);
    }
  });

  it('is reproducible for a seed, and assigns a point to its nearest centroid', () => {
    const { points } = blobs(CENTRES, 20, 3);
    expect(kmeans(points, 4, { seed: 7 })).toEqual(kmeans(points, 4, { seed: 7 }));
    expect(nearest(CENTRES, [9, 1, 0])).toBe(1);
    expect(() => kmeans(points.slice(0, 2), 3, { seed: 0 })).toThrow(/k 3/);
  });

  it('chooses k by silhouette: 3 for three blobs', () => {
    const { points } = blobs(CENTRES, 40, 1);
    const choice = chooseK(points, { ks: [2, 3, 4, 5], seed: 0, restarts: 3, silhouetteSample: 1000 });
    expect(choice.k).toBe(3);
    expect(choice.byK.map((b) => b.k)).toEqual([2, 3, 4, 5]);
    expect(choice.byK[1].silhouette).toBeGreaterThan(0.8);
  });

  it('reports a stable clustering as stable, and structureless data as less so', () => {
    const clear = blobs(CENTRES, 40, 1);
    const fit = kmeans(clear.points, 3, { seed: 0 });
    const s = stability(clear.points, { k: 3, labels: fit.labels, seeds: 3, bootstraps: 5, restarts: 2, seed: 0 });
    expect(s.seeds).toEqual({ runs: 3, mean: 1, min: 1 });
    expect(s.bootstrap.min).toBe(1);
    const random = seededRandom(3);
    const noise = Array.from({ length: 150 }, () => [random(), random(), random()]);
    const noiseFit = kmeans(noise, 6, { seed: 0, restarts: 1 });
    const n = stability(noise, { k: 6, labels: noiseFit.labels, seeds: 0, bootstraps: 5, restarts: 1, seed: 0 });
    expect(n.bootstrap.mean).toBeLessThan(0.95);
  });
});

describe('silhouette', () => {
  it('is near 1 for tight far clusters and near 0 for one blob cut in two', () => {
    const { points, truth } = blobs(CENTRES, 30, 0.1);
    expect(silhouette(points, truth, { sample: 1000, seed: 0 })).toBeGreaterThan(0.95);
    const random = seededRandom(5);
    const blob = Array.from({ length: 200 }, () => [random(), random()]);
    const halves = blob.map((p) => (p[0] < 0.5 ? 0 : 1));
    const arbitrary = blob.map((_, i) => i % 2);
    expect(silhouette(blob, halves, { sample: 200, seed: 0 })).toBeLessThan(0.5);
    expect(silhouette(blob, arbitrary, { sample: 200, seed: 0 })).toBeLessThan(0.05);
  });
});

describe('adjusted Rand index', () => {
  it('is 1 for the same partition under other labels', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9])).toBe(1);
    expect(adjustedRandIndex([0, 0, 0], [1, 1, 1])).toBe(1);
  });

  it('matches worked examples', () => {
    // Contingency [[2,1,0],[0,1,2]]: index 2, row and column sums 6 and 3 pairs, expected 18/15, max 4.5.
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo((2 - 1.2) / (4.5 - 1.2), 12);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });

  it('is about 0 for independent labellings', () => {
    const random = seededRandom(11);
    const a = Array.from({ length: 5000 }, () => Math.floor(random() * 4));
    const b = Array.from({ length: 5000 }, () => Math.floor(random() * 5));
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.01);
    expect(() => adjustedRandIndex([0], [0, 1])).toThrow();
  });
});
