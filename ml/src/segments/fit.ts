/**
 * The segmentation fit shared by the part builder and the evaluation: features at the cut, log1p and
 * standardisation, k chosen by silhouette, and the chosen fit's stability across seeds and bootstraps.
 */
import type { OrderHistory } from '../data';
import { chooseK, SILHOUETTE_CRITERION, type KChoice } from './choose';
import { customerFeatures, featureVector, type CustomerFeatures } from './features';
import { fitScaling, standardise, type Scaling } from './scaling';
import { stability, type AriSummary } from './stability';

export interface SegmentationOptions {
  ks: number[];
  seed: number;
  restarts: number;
  silhouetteSample: number;
  /** Fits from other seeds compared with the chosen one (adjusted Rand index); 0 skips. */
  stabilitySeeds: number;
  /** Fits on bootstrap resamples compared with the chosen one; 0 skips. */
  bootstraps: number;
}

/** k 3–8 as the segments are meant for campaigns: two is too coarse, more than eight too many to act on. */
export const SEGMENTATION_DEFAULTS: SegmentationOptions = {
  ks: [3, 4, 5, 6, 7, 8],
  seed: 0,
  restarts: 5,
  silhouetteSample: 2000,
  stabilitySeeds: 10,
  bootstraps: 20,
};

export interface Segmentation {
  asOf: string;
  customers: CustomerFeatures[];
  scaling: Scaling;
  /** Standardised points, `customers` order. */
  points: number[][];
  choice: KChoice;
  criterion: string;
  stability?: { seeds: AriSummary; bootstrap: AriSummary };
}

export function segmentCustomers(
  history: OrderHistory,
  asOf: string,
  options: SegmentationOptions = SEGMENTATION_DEFAULTS,
): Segmentation {
  const customers = customerFeatures(history, asOf);
  const vectors = customers.map((c) => featureVector(c.features));
  const scaling = fitScaling(vectors, 'log1p');
  const points = vectors.map((v) => standardise(scaling, v));
  const choice = chooseK(points, options);
  const checked = options.stabilitySeeds + options.bootstraps > 0;
  return {
    asOf,
    customers,
    scaling,
    points,
    choice,
    criterion: SILHOUETTE_CRITERION(Math.min(options.silhouetteSample, points.length)),
    stability: checked
      ? stability(points, {
          k: choice.k,
          labels: choice.fit.labels,
          seeds: options.stabilitySeeds,
          bootstraps: options.bootstraps,
          restarts: options.restarts,
          seed: options.seed,
        })
      : undefined,
  };
}
