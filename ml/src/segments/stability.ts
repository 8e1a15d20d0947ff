/**
 * Stability of a k-means clustering: the adjusted Rand index between the reference fit and (1) fits from
 * other seeds, (2) fits on bootstrap resamples of the customers — every customer assigned by each fit's
 * centroids, so that the labellings compare the same items.
 */
import { adjustedRandIndex } from './ari';
import { kmeans, nearest } from './kmeans';
import { seededRandom } from '../random';

export interface AriSummary {
  runs: number;
  mean: number;
  min: number;
}

export interface StabilityOptions {
  k: number;
  /** The reference fit's labels. */
  labels: number[];
  seeds: number;
  bootstraps: number;
  restarts: number;
  seed: number;
}

const summary = (values: number[]): AriSummary => ({
  runs: values.length,
  mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
  min: values.length > 0 ? Math.min(...values) : NaN,
});

export function stability(points: number[][], options: StabilityOptions): { seeds: AriSummary; bootstrap: AriSummary } {
  const { k, labels, restarts } = options;
  const seeds: number[] = [];
  for (let s = 1; s <= options.seeds; s++) {
    const fit = kmeans(points, k, { seed: options.seed + 1000 * s, restarts });
    seeds.push(adjustedRandIndex(labels, fit.labels));
  }
  const random = seededRandom(options.seed + 7919);
  const bootstrap: number[] = [];
  for (let b = 0; b < options.bootstraps; b++) {
    const sample = points.map(() => points[Math.floor(random() * points.length)]);
    const fit = kmeans(sample, k, { seed: options.seed + 31 * (b + 1), restarts });
    bootstrap.push(
      adjustedRandIndex(
        labels,
        points.map((p) => nearest(fit.centroids, p)),
      ),
    );
  }
  return { seeds: summary(seeds), bootstrap: summary(bootstrap) };
}
