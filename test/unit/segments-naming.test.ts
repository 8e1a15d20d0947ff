import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { baseName, describe as describeSegment, segmentNames, slug, uniqueSlugs } from '../../ml/src/segments/naming';
import type { SegmentFeatures } from '../../ml/src/insights/contract';

const typical = (frequency: number): SegmentFeatures => ({
  recency: 30,
  frequency,
  monetary: 500,
  tenure: 200,
  breadth: 20,
});
/** z in SEGMENT_FEATURES order: recency, frequency, monetary, tenure, breadth. */
const centroid = (z: number[], frequency = 3) => ({ z, typical: typical(frequency) });

describe('segment names', () => {
  it('follow from the centroid: status, rhythm, spend', () => {
    expect(baseName(centroid([-1, 1.5, 1.5, 1, 1], 8))).toBe('active frequent wholesale buyers');
    expect(baseName(centroid([-0.8, 1, 0.7, 0.4, 0.9], 5))).toBe('active frequent high-spending wide-range buyers');
    expect(baseName(centroid([1, -0.8, -0.9, 0.3, -0.6], 1.2))).toBe('lapsed one-off low-spending buyers');
    expect(baseName(centroid([-0.7, -0.7, -0.2, -2, -0.5], 1.1))).toBe('new one-off customers');
    expect(baseName(centroid([0.2, -0.7, 0, 0.3, 0], 1.8))).toBe('occasional buyers');
    expect(baseName(centroid([0, 0, 0, 0, 0], 2.5))).toBe('regular buyers');
  });

  it('are unique: clashing names are told apart by the feature they differ most on', () => {
    const names = segmentNames([
      centroid([1, -0.8, -0.6, 0.3, -0.6], 1.2),
      centroid([-1, 1.5, 1.5, 1, 1], 8),
      centroid([1, -0.8, -2, 0.2, -0.7], 1.1),
    ]);
    expect(names).toEqual([
      'lapsed one-off low-spending buyers (higher spend)',
      'active frequent wholesale buyers',
      'lapsed one-off low-spending buyers (lower spend)',
    ]);
    const three = segmentNames([
      centroid([0, 0, 0, 0, 0.1]),
      centroid([0, 0, 0, 0, 0.4]),
      centroid([0, 0, 0, 0, -0.2]),
    ]);
    expect(new Set(three).size).toBe(3);
    expect(three[1]).toBe('regular buyers (wider range)');
    expect(three[2]).toBe('regular buyers (narrower range)');
  });

  it('are derived from the centroids, not from their order or number', () => {
    const a = centroid([-1, 1.5, 1.5, 1, 1], 8);
    const b = centroid([1, -0.8, -0.9, 0.3, -0.6], 1.2);
    const c = centroid([-0.7, -0.7, -0.2, -2, -0.5], 1.1);
    expect(segmentNames([c, a, b])).toEqual([
      segmentNames([a, b, c])[2],
      segmentNames([a, b, c])[0],
      segmentNames([a, b, c])[1],
    ]);
    expect(segmentNames([a, b])).toEqual(segmentNames([a, b, c]).slice(0, 2));
  });

  it('give URL slugs and a sentence with the figures', () => {
    expect(slug('lapsed one-off low-spending buyers (higher spend)')).toBe(
      'lapsed-one-off-low-spending-buyers-higher-spend',
    );
    const long = 'x'.repeat(70);
    expect(uniqueSlugs([`${long} a`, `${long} b`, 'short'])).toEqual(['x'.repeat(64), `${'x'.repeat(60)}-2`, 'short']);
    const sentence = describeSegment(
      { recency: 24.4, frequency: 5.4, monetary: 1889.2, tenure: 210, breadth: 71 },
      1193,
      '2011-09-01',
    );
    expect(sentence).toBe(
      '1,193 customers who typically last bought 24 days before 2011-09-01, made 5.4 purchases for £1,889 of 71 distinct products, first bought 210 days before.',
    );
  });
});
