/**
 * Places a shopper in a segment of a trained part: the contract's `assignment` recipe (transform,
 * standardise, nearest centroid). Pure, for the model server.
 */
import { SEGMENT_FEATURES, type SegmentFeatures, type SegmentsPart } from '../insights/contract';
import { nearest } from './kmeans';
import { standardise } from './scaling';

/** The index into `part.segments` of the segment whose centroid is nearest to the features. */
export function assignSegment(part: SegmentsPart, features: SegmentFeatures): number {
  const { centroids, ...scaling } = part.assignment;
  return nearest(
    centroids,
    standardise(
      scaling,
      SEGMENT_FEATURES.map((name) => features[name]),
    ),
  );
}
