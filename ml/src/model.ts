/**
 * The recommendation model artifact and the one scoring function that serves it. Training (ml/src/train)
 * writes the artifact; the model server (ml/src/serve) loads it and answers SageMaker invocations with
 * `recommend`. Pure: no I/O here.
 */

/** What `npm run ml:train` writes as model.json (also packed into model.tar.gz for SageMaker). */
export interface ModelArtifact {
  format: 'ecicomm-recs/1';
  /** e.g. "2011-12-01.blend.3f9a1c" — data window end, model kind, hash of parameters and data. */
  version: string;
  trainedAt: string;
  dataWindow: { from: string; until: string; invoices: number; customers: number; items: number };
  /** The cleaning rules applied, stated once (ml/src/data.ts), recorded for audit. */
  cleaning: string;
  parameters: BlendParameters & {
    neighbours: number;
    popularityHalfLifeDays: number;
    /** What the neighbours' cosine is over: customers' purchase sets (default) or invoices (baskets). */
    neighbourBasis?: 'customers' | 'invoices';
    /** Cosine shrinkage: co-purchases / (sqrt(n_i n_j) + shrink). */
    neighbourShrink?: number;
    /** What popularity counts: distinct customers (default) or invoices. */
    popularityBasis?: 'customers' | 'invoices';
    /**
     * The customer's own products rank above every other product, ordered among themselves by the
     * personal signal and popularity; the others follow, by neighbours and popularity. Default true;
     * false: one additive blend of all three, where a strong neighbour or a popular product can outrank a
     * product bought once long ago.
     */
    personalFirst?: boolean;
  };
  /** Evaluation figures measured at training time (ml:evaluate writes the full table). */
  metrics?: Record<string, Record<string, number>>;
  /** Items by popularity (recency-weighted), best first; the fallback and the cold-start answer. */
  popularity: [productId: string, score: number][];
  /** Item-to-item similarities (co-purchase cosine), each list best first. */
  neighbours: Record<string, [productId: string, similarity: number][]>;
}

/** Weights of the personalised blend: the customer's own repeat purchases, their items' neighbours, popularity. */
export interface BlendParameters {
  personalWeight: number;
  neighbourWeight: number;
  popularityWeight: number;
  /** Half-life of a past purchase's weight in the personal signal, in days. */
  recencyHalfLifeDays: number;
}

/** The SageMaker invocation body (API of the model server). */
export interface RecommendationRequest {
  userId?: string;
  /** The customer's order lines, one per product per order, `at` the order's time (ISO 8601). */
  history: { productId: string; quantity?: number; at?: string }[];
  productId?: string;
  k: number;
  exclude?: string[];
}

export interface RecommendationResponse {
  items: { productId: string; score: number }[];
  modelVersion: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A model's popularity list sorted (score, then id) and indexed; built once per artifact's list. */
interface PopularityIndex {
  sorted: [string, number][];
  byId: Map<string, number>;
  top: number;
}
const popularityIndexes = new WeakMap<object, PopularityIndex>();

function popularityIndex(model: ModelArtifact): PopularityIndex {
  let index = popularityIndexes.get(model.popularity);
  if (!index) {
    const sorted = model.popularity
      .filter(([, score]) => Number.isFinite(score) && score > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    index = { sorted, byId: new Map(sorted), top: sorted[0]?.[1] || 1 };
    popularityIndexes.set(model.popularity, index);
  }
  return index;
}

/** A product's neighbours; own properties only (a product id such as 'constructor' is not a key of Object). */
const neighboursOf = (model: ModelArtifact, id: string): [string, number][] =>
  Object.prototype.hasOwnProperty.call(model.neighbours, id) ? model.neighbours[id] : [];

const byScore = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * - `productId` given: items bought together with it (its neighbours), topped up by popularity.
 * - `history` given: a blend of the customer's own purchases (how often they bought each product, each
 *   purchase's weight halving every `recencyHalfLifeDays`), the neighbours of what they bought, and
 *   popularity — each part scaled to 1 at its best product, then weighted. With `personalFirst` (the
 *   default) their own products come first, ordered by the personal signal and popularity, then the
 *   others by neighbours and popularity. Excluding what they bought (`exclude`) leaves neighbours and
 *   popularity: discovery.
 * - neither: popularity.
 * `history` holds one entry per product per order: the personal signal counts orders. Quantities are not
 * weighed (on this store's data, weighing by log quantity ranked worse: ml/README.md); an entry with a
 * quantity of 0 or less is ignored. `now` anchors recency (the latest purchase in the history when not
 * given) so that scoring is deterministic for a request. Excluded products, and the `productId` asked
 * about, are never returned; ties are broken by product id; at most `k` items.
 */
export function recommend(model: ModelArtifact, request: RecommendationRequest, now?: Date): RecommendationResponse {
  const items = rankItems(model, request, now).map(([productId, score]) => ({
    productId,
    score: Math.round(score * 1e6) / 1e6,
  }));
  return { items, modelVersion: model.version };
}

/** `recommend`'s ranking with unrounded scores: the best `request.k` products, best first. */
export function rankItems(
  model: ModelArtifact,
  request: RecommendationRequest,
  now?: Date,
): [productId: string, score: number][] {
  const k = Number.isFinite(request.k) ? Math.max(0, Math.floor(request.k)) : 0;
  if (k === 0) return [];
  const exclude = new Set(request.exclude ?? []);
  /** The products that score on more than popularity. */
  const scores = new Map<string, number>();
  const add = (id: string, value: number) => {
    if (!exclude.has(id) && Number.isFinite(value) && value > 0) scores.set(id, (scores.get(id) ?? 0) + value);
  };
  const p = model.parameters;
  const history = request.history ?? [];
  let popularityWeight: number;
  /** With `personalFirst`: the customer's own products, ranked before the rest. */
  let own: Set<string> | undefined;

  if (request.productId) {
    exclude.add(request.productId);
    for (const [id, similarity] of neighboursOf(model, request.productId)) add(id, similarity);
    // A small popularity term breaks ties and fills in when the item has few neighbours.
    popularityWeight = 0.01;
  } else if (history.length > 0) {
    let anchor = now?.getTime() ?? -Infinity;
    const times = history.map(({ at }) => (at ? Date.parse(at) : NaN));
    if (!now) for (const t of times) if (t > anchor) anchor = t;
    const personal = new Map<string, number>();
    history.forEach(({ productId, quantity }, i) => {
      if (quantity !== undefined && !(quantity > 0)) return;
      const ageDays =
        Number.isFinite(times[i]) && Number.isFinite(anchor) ? Math.max(0, (anchor - times[i]) / DAY_MS) : 0;
      const weight = p.recencyHalfLifeDays > 0 ? Math.pow(0.5, ageDays / p.recencyHalfLifeDays) : 1;
      personal.set(productId, (personal.get(productId) ?? 0) + weight);
    });
    let topPersonal = 0;
    for (const weight of personal.values()) if (weight > topPersonal) topPersonal = weight;
    if (topPersonal > 0) {
      if (p.personalFirst !== false && p.personalWeight > 0) own = new Set(personal.keys());
      for (const [id, weight] of personal) add(id, (p.personalWeight * weight) / topPersonal);
      const neighbourScores = new Map<string, number>();
      for (const [id, weight] of personal) {
        for (const [neighbour, similarity] of neighboursOf(model, id)) {
          neighbourScores.set(neighbour, (neighbourScores.get(neighbour) ?? 0) + (similarity * weight) / topPersonal);
        }
      }
      let topNeighbour = 0;
      for (const score of neighbourScores.values()) if (score > topNeighbour) topNeighbour = score;
      // Personal first: the own products are ordered by how the customer bought them and popularity;
      // neighbours rank the others (letting neighbours reorder the own products ranked worse on every
      // validation fold: ml/README.md).
      if (topNeighbour > 0) {
        for (const [id, score] of neighbourScores)
          if (!own?.has(id)) add(id, (p.neighbourWeight * score) / topNeighbour);
      }
    }
    popularityWeight = p.popularityWeight;
  } else {
    popularityWeight = 1;
  }

  const popularity = popularityIndex(model);
  const ranked: [string, number][] = [];
  // Personal first: own products are lifted by the most any other product can score.
  const lift = own ? Math.max(0, p.neighbourWeight) + Math.max(0, popularityWeight) : 0;
  for (const [id, score] of scores) {
    let value =
      popularityWeight > 0 ? score + (popularityWeight * (popularity.byId.get(id) ?? 0)) / popularity.top : score;
    if (own?.has(id)) value += lift;
    if (value > 0) ranked.push([id, value]);
  }
  // Products scoring on popularity alone: only the k most popular of them can make the list.
  if (popularityWeight > 0) {
    let taken = 0;
    for (const [id, score] of popularity.sorted) {
      if (taken === k) break;
      if (exclude.has(id) || scores.has(id)) continue;
      const value = (popularityWeight * score) / popularity.top;
      if (!(value > 0)) break;
      ranked.push([id, value]);
      taken++;
    }
  }
  return ranked.sort(byScore).slice(0, k);
}
