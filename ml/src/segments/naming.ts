/**
 * Segment names from centroids, by rules (never a table per k): each feature of a centroid is "high" or
 * "low" when its standardised value (log1p z-score over all customers) is beyond ±LEVEL, and the words
 * follow from those levels and from a few absolute figures (one purchase is "one-off"). Names that come
 * out the same are told apart by the feature on which their centroids differ most.
 */
import type { SegmentFeatures } from '../insights/contract';
import { SEGMENT_FEATURES } from '../insights/contract';

/** |z| beyond which a centroid's feature counts as high or low against all customers. */
export const LEVEL = 0.5;
/** z beyond which spend counts as wholesale-sized (about the top sixth of customers on a normal scale). */
export const WHOLESALE = 1;

type Feature = (typeof SEGMENT_FEATURES)[number];
export interface NamedSegment {
  segment: string;
  name: string;
  description: string;
}
interface Centroid {
  /** Standardised (z) coordinates, SEGMENT_FEATURES order. */
  z: number[];
  /** The same centroid in the features' own units. */
  typical: SegmentFeatures;
}

const level = (z: number) => (z > LEVEL ? 1 : z < -LEVEL ? -1 : 0);

/** The words of one centroid: status (new, active, lapsed), purchase rhythm, spend; then the noun. */
export function baseName(c: Centroid): string {
  const [recency, frequency, monetary, tenure, breadth] = c.z;
  const words: string[] = [];
  if (level(tenure) < 0 && level(recency) <= 0) words.push('new');
  else if (level(recency) > 0) words.push('lapsed');
  else if (level(recency) < 0) words.push('active');
  if (c.typical.frequency < 1.5) words.push('one-off');
  else if (level(frequency) > 0) words.push('frequent');
  else if (level(frequency) < 0) words.push('occasional');
  else words.push('regular');
  if (monetary > WHOLESALE) words.push('wholesale');
  else if (level(monetary) > 0) words.push('high-spending');
  else if (level(monetary) < 0) words.push('low-spending');
  if (level(breadth) > 0 && monetary <= WHOLESALE) words.push('wide-range');
  words.push(words[0] === 'new' ? 'customers' : 'buyers');
  return words.join(' ');
}

const QUALIFIERS: Record<Feature, [higher: string, lower: string]> = {
  recency: ['less recent', 'more recent'],
  frequency: ['more frequent', 'less frequent'],
  monetary: ['higher spend', 'lower spend'],
  tenure: ['longer-standing', 'newer'],
  breadth: ['wider range', 'narrower range'],
};

/** Names for all centroids, unique: clashing names get "(higher spend)"-style qualifiers, then ranks. */
export function segmentNames(centroids: Centroid[]): string[] {
  const names = centroids.map(baseName);
  const groups = new Map<string, number[]>();
  names.forEach((name, i) => groups.set(name, [...(groups.get(name) ?? []), i]));
  for (const [name, members] of groups) {
    if (members.length < 2) continue;
    // The feature on which the clashing centroids spread most tells them apart.
    const spread = SEGMENT_FEATURES.map((_, j) => {
      const values = members.map((m) => centroids[m].z[j]);
      return Math.max(...values) - Math.min(...values);
    });
    const j = spread.indexOf(Math.max(...spread));
    const [higher, lower] = QUALIFIERS[SEGMENT_FEATURES[j]];
    const order = [...members].sort((a, b) => centroids[b].z[j] - centroids[a].z[j]);
    order.forEach((m, rank) => {
      const word =
        rank === 0 ? higher : rank === order.length - 1 ? lower : `${higher}, ${rank + 1} of ${order.length}`;
      names[m] = `${name} (${word})`;
    });
  }
  return names;
}

/** A URL slug of a name: lower case, words joined by hyphens. */
export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');

/** Slugs of unique names; should cutting to 64 characters make two the same, the later ones end in their position. */
export function uniqueSlugs(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name, i) => {
    let id = slug(name);
    if (seen.has(id)) id = `${id.slice(0, 60).replace(/-+$/, '')}-${i + 1}`;
    seen.add(id);
    return id;
  });
}

const money = (x: number) => `£${Math.round(x).toLocaleString('en-GB')}`;
const count = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-GB'));

/** One sentence with the centroid's figures (the typical customer: the centroid back in the features' units). */
export function describe(t: SegmentFeatures, customers: number, asOf: string): string {
  return (
    `${customers.toLocaleString('en-GB')} customers who typically last bought ${Math.round(t.recency)} days before ${asOf}, ` +
    `made ${count(t.frequency)} purchases for ${money(t.monetary)} of ${Math.round(t.breadth)} distinct products, ` +
    `first bought ${Math.round(t.tenure)} days before.`
  );
}
