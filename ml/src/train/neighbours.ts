/**
 * Item-to-item neighbours: cosine similarity of products' purchase vectors (over customers or invoices),
 * the top K per product.
 */
import { round6 } from './popularity';

export interface NeighbourOptions {
  /** Neighbours kept per product. */
  k: number;
  /** Shrinks similarities resting on few co-purchases: c / (sqrt(n_i n_j) + shrink). */
  shrink?: number;
  /** Pairs co-purchased in fewer baskets are not neighbours. */
  minSupport?: number;
  /** Called as products are done. */
  onProgress?: (done: number, total: number) => void;
}

/** Per product (column index), its neighbours as [index, similarity], best first. */
export type NeighbourLists = [number, number][][];

/**
 * Cosine similarities between columns of the binary basket × product matrix. `baskets` are each
 * customer's (or invoice's) distinct products, column indices ascending. Cost: the sum over baskets of
 * their size squared.
 */
export function cosineNeighbours(baskets: Int32Array[], nItems: number, options: NeighbourOptions): NeighbourLists {
  const { k, shrink = 0, minSupport = 1, onProgress } = options;
  // Product -> baskets holding it.
  const counts = new Int32Array(nItems + 1);
  for (const b of baskets) for (let e = 0; e < b.length; e++) counts[b[e] + 1]++;
  for (let j = 0; j < nItems; j++) counts[j + 1] += counts[j];
  const itemPtr = Int32Array.from(counts);
  const next = Int32Array.from(counts);
  const itemBaskets = new Int32Array(itemPtr[nItems]);
  baskets.forEach((b, at) => {
    for (let e = 0; e < b.length; e++) itemBaskets[next[b[e]]++] = at;
  });
  const norm = new Float64Array(nItems);
  for (let j = 0; j < nItems; j++) norm[j] = Math.sqrt(itemPtr[j + 1] - itemPtr[j]);

  const co = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const lists: NeighbourLists = [];
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let e = itemPtr[i]; e < itemPtr[i + 1]; e++) {
      const b = baskets[itemBaskets[e]];
      for (let f = 0; f < b.length; f++) {
        const j = b[f];
        if (co[j] === 0) touched[nTouched++] = j;
        co[j] += 1;
      }
    }
    const candidates: [number, number][] = [];
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t];
      const c = co[j];
      co[j] = 0;
      if (j === i || c < minSupport) continue;
      candidates.push([j, c / (norm[i] * norm[j] + shrink)]);
    }
    candidates.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    lists.push(candidates.slice(0, k));
    if (onProgress && (i % 256 === 255 || i === nItems - 1)) onProgress(i + 1, nItems);
  }
  return lists;
}

/** Neighbour lists keyed by product id, similarities to six significant digits, for the artifact. */
export function neighbourRecord(lists: NeighbourLists, items: string[]): Record<string, [string, number][]> {
  const record: Record<string, [string, number][]> = {};
  lists.forEach((list, i) => {
    if (list.length) record[items[i]] = list.map(([j, s]) => [items[j], round6(s)]);
  });
  return record;
}
