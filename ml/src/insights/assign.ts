/**
 * Placing a customer in a segment, as the contract's `assignment` states it: features in SEGMENT_FEATURES
 * order, log1p when the model was fitted on log1p features (RFM figures are heavy-tailed: a few wholesale
 * buyers spend a hundred times the median), standardised with the training mean and scale, then the
 * nearest centroid by Euclidean distance (ties: the first segment, so the answer is deterministic).
 */
import { SEGMENT_FEATURES, type SegmentFeatures, type SegmentsPart } from './contract';

/** The features as the centroids see them: transformed and standardised. */
export function standardise(assignment: SegmentsPart['assignment'], features: SegmentFeatures): number[] {
  return SEGMENT_FEATURES.map((name, i) => {
    const raw = features[name];
    const value = assignment.transform === 'log1p' ? Math.log1p(raw) : raw;
    return (value - assignment.mean[i]) / assignment.scale[i];
  });
}

/** The index of the nearest centroid. */
export function nearestCentroid(assignment: SegmentsPart['assignment'], features: SegmentFeatures): number {
  const point = standardise(assignment, features);
  let best = 0;
  let bestDistance = Infinity;
  assignment.centroids.forEach((centroid, index) => {
    const distance = centroid.reduce((sum, c, i) => sum + (point[i] - c) ** 2, 0);
    if (distance < bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return best;
}
