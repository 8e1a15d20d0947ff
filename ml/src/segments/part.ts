/**
 * The artifact's segments part (ml/src/insights/contract.ts SegmentsPart): the segmentation at `asOf`,
 * segments ordered by value share (largest first), each named by ml/src/segments/naming.ts, with its
 * customers' 20 most bought products; and the campaign export, every customer grouped by segment.
 */
import type { SegmentsPart } from '../insights/contract';
import { SEGMENT_FEATURES } from '../insights/contract';
import type { OrderHistory } from '../data';
import { describe, segmentNames, uniqueSlugs } from './naming';
import { unstandardise } from './scaling';
import { segmentCustomers, SEGMENTATION_DEFAULTS, type Segmentation, type SegmentationOptions } from './fit';

export const TOP_PRODUCTS = 20;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const toFeatures = (v: number[]) =>
  Object.fromEntries(
    SEGMENT_FEATURES.map((name, j) => [name, round(Math.max(0, v[j]))]),
  ) as SegmentsPart['segments'][number]['centroid'];

export function buildSegmentsPart(
  history: OrderHistory,
  asOf: string,
  options: SegmentationOptions = SEGMENTATION_DEFAULTS,
): SegmentsPart {
  const started = performance.now();
  return partOf(segmentCustomers(history, asOf, options), started);
}

/** The part of a segmentation already fitted (ml:evaluate fits once and reports both). */
export function partOf(s: Segmentation, started = performance.now()): SegmentsPart {
  const { fit, k } = s.choice;
  const totalSpend = s.customers.reduce((sum, c) => sum + c.features.monetary, 0);
  const clusters = fit.centroids.map((z, c) => {
    const members = s.customers.filter((_, i) => fit.labels[i] === c);
    const spend = members.reduce((sum, m) => sum + m.features.monetary, 0);
    return { z, members, spend, typical: toFeatures(unstandardise(s.scaling, z)) };
  });
  clusters.sort((a, b) => b.spend - a.spend);
  const names = segmentNames(clusters);
  const ids = uniqueSlugs(names);
  const segments = clusters.map((c, i) => ({
    segment: ids[i],
    name: names[i],
    description: describe(c.typical, c.members.length, s.asOf),
    customers: c.members.length,
    valueShare: totalSpend > 0 ? c.spend / totalSpend : 0,
    centroid: c.typical,
    topProducts: topProducts(c.members),
  }));
  const customers = clusters.flatMap((c, i) =>
    [...c.members]
      .sort((a, b) => b.features.monetary - a.features.monetary || (a.customerId < b.customerId ? -1 : 1))
      .map((m) => ({
        customerId: m.customerId,
        segment: segments[i].segment,
        recency: round(m.features.recency),
        frequency: m.features.frequency,
        monetary: round(m.features.monetary),
      })),
  );
  return {
    asOf: s.asOf,
    assignment: { ...s.scaling, centroids: clusters.map((c) => c.z) },
    segments,
    customers,
    metrics: {
      customers: s.customers.length,
      k,
      criterion: s.criterion,
      byK: s.choice.byK.map((b) => ({ k: b.k, silhouette: round(b.silhouette, 4), inertia: round(b.inertia, 1) })),
      ari: s.stability && {
        seeds: roundSummary(s.stability.seeds),
        bootstrap: roundSummary(s.stability.bootstrap),
      },
      seconds: round((performance.now() - started) / 1000),
    },
  };
}

const roundSummary = (a: { runs: number; mean: number; min: number }) => ({
  runs: a.runs,
  mean: round(a.mean, 4),
  min: round(a.min, 4),
});

/** The products the members bought most units of, most first (ties by product id). */
function topProducts(members: Segmentation['customers']): string[] {
  const units = new Map<string, number>();
  for (const m of members) for (const [id, n] of m.units) units.set(id, (units.get(id) ?? 0) + n);
  return [...units]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_PRODUCTS)
    .map(([id]) => id);
}
