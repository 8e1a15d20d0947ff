/**
 * Gradient-boosted regression trees under weighted absolute loss, for the pooled forecaster (pooled.ts).
 * Absolute loss because WAPE is the sum of absolute errors: its minimiser is a (weighted) median, so each
 * leaf holds the weighted median of its residuals and each tree fits the residuals' signs (the negative
 * gradient). A row holds several targets that share one feature vector (the weeks of a horizon forecast
 * from one cut): the gradient sums their signs, which keeps the split search to one pass per row. Written
 * here because no maintained npm library fits weighted absolute-loss boosting in plain TypeScript; trees are
 * complete binary trees of a fixed depth, split on per-feature quantile bins.
 */

export interface BoostingOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Candidate thresholds per feature: its quantiles at 1/bins, 2/bins, … */
  bins: number;
  /** Least total weight × targets on each side of a split. */
  minLeafWeight: number;
}

export interface BoostedTrees {
  base: number;
  learningRate: number;
  depth: number;
  /** Per tree: the split feature and threshold of each inner node (heap order), and the leaf values. */
  trees: { feature: number[]; threshold: number[]; leaf: number[] }[];
}

export interface TrainingRows {
  features: Float64Array[];
  /** The targets of each row. */
  targets: Float64Array[];
  /** The weight of each row's targets (its unit scale: the loss is then in units). */
  weights: number[];
}

/**
 * The weighted median of `values` (the smallest value holding at least half the weight), 0 when empty:
 * a weighted quickselect (expected linear time), as leaves take it over every target each tree. Reorders
 * its arguments' contents.
 */
export function weightedMedian(values: Float64Array, weights: Float64Array): number {
  let lo = 0;
  let hi = values.length;
  let need = weights.reduce((a, b) => a + b, 0) / 2;
  if (!hi) return 0;
  const swap = (i: number, j: number) => {
    [values[i], values[j]] = [values[j], values[i]];
    [weights[i], weights[j]] = [weights[j], weights[i]];
  };
  for (;;) {
    const pivot = values[(lo + hi) >> 1];
    // Three-way partition of [lo, hi): below pivot [lo, lt), equal [lt, gt), above [gt, hi).
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i < gt) {
      if (values[i] < pivot) swap(i++, lt++);
      else if (values[i] > pivot) swap(i, --gt);
      else i++;
    }
    let below = 0;
    for (let k = lo; k < lt; k++) below += weights[k];
    let equal = 0;
    for (let k = lt; k < gt; k++) equal += weights[k];
    if (below >= need && lt > lo) hi = lt;
    else if (below + equal >= need || gt === hi) return pivot;
    else {
      need -= below + equal;
      lo = gt;
    }
  }
}

/** Per feature, the index of each row's bin among the candidate thresholds (value <= threshold[b]). */
function binRows(features: Float64Array[], bins: number) {
  const n = features.length;
  return Array.from(features[0], (_, j) => {
    const sorted = Float64Array.from(features, (x) => x[j]).sort();
    const thresholds = [
      ...new Set(Array.from({ length: bins - 1 }, (_, b) => sorted[Math.floor(((b + 1) * n) / bins)])),
    ];
    const index = Uint8Array.from(features, (x) => {
      let lo = 0;
      let hi = thresholds.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x[j] > thresholds[mid]) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    });
    return { thresholds, index };
  });
}

type Binned = ReturnType<typeof binRows>;

/** The best split of a node's rows: the largest reduction of squared gradient sums (as in gradient boosting). */
function bestSplit(rows: number[], binned: Binned, gradient: Float64Array, mass: Float64Array, minLeaf: number) {
  let best = { gain: -Infinity, feature: 0, threshold: Infinity };
  let totalMass = 0;
  let totalGradient = 0;
  for (const i of rows) {
    totalMass += mass[i];
    totalGradient += gradient[i];
  }
  binned.forEach(({ thresholds, index }, feature) => {
    const m = new Float64Array(thresholds.length + 1);
    const g = new Float64Array(thresholds.length + 1);
    for (const i of rows) {
      m[index[i]] += mass[i];
      g[index[i]] += gradient[i];
    }
    let leftMass = 0;
    let leftGradient = 0;
    for (let b = 0; b < thresholds.length; b++) {
      leftMass += m[b];
      leftGradient += g[b];
      const rightMass = totalMass - leftMass;
      if (leftMass < minLeaf || rightMass < minLeaf) continue;
      const gain = leftGradient ** 2 / leftMass + (totalGradient - leftGradient) ** 2 / rightMass;
      if (gain > best.gain) best = { gain, feature, threshold: thresholds[b] };
    }
  });
  return best;
}

/** One tree on the current predictions `fitted`; returns it and each row's leaf. */
function growTree(data: TrainingRows, binned: Binned, fitted: Float64Array, options: BoostingOptions) {
  const n = data.features.length;
  const gradient = new Float64Array(n);
  const mass = new Float64Array(n);
  data.targets.forEach((ys, i) => {
    for (const y of ys) gradient[i] += data.weights[i] * Math.sign(y - fitted[i]);
    mass[i] = data.weights[i] * ys.length;
  });
  const inner = (1 << options.depth) - 1;
  const tree = {
    feature: new Array<number>(inner).fill(0),
    threshold: new Array<number>(inner).fill(Infinity),
    leaf: [] as number[],
  };
  const node = new Int32Array(n);
  for (let k = 0; k < inner; k++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (node[i] === k) rows.push(i);
    const split = bestSplit(rows, binned, gradient, mass, options.minLeafWeight);
    tree.feature[k] = split.feature;
    tree.threshold[k] = split.threshold;
    for (const i of rows) node[i] = 2 * k + 1 + (data.features[i][split.feature] > split.threshold ? 1 : 0);
  }
  return { tree, leafOf: node.map((k) => k - inner) };
}

/** Each leaf's weighted median of the residuals of its rows' targets (0 for an empty leaf). */
function leafValues(data: TrainingRows, fitted: Float64Array, leafOf: Int32Array, leaves: number): number[] {
  const size = new Int32Array(leaves);
  data.targets.forEach((ys, i) => (size[leafOf[i]] += ys.length));
  const residuals = Array.from(size, (n) => new Float64Array(n));
  const weights = Array.from(size, (n) => new Float64Array(n));
  const filled = new Int32Array(leaves);
  data.targets.forEach((ys, i) => {
    const l = leafOf[i];
    for (const y of ys) {
      residuals[l][filled[l]] = y - fitted[i];
      weights[l][filled[l]++] = data.weights[i];
    }
  });
  return residuals.map((r, l) => weightedMedian(r, weights[l]));
}

/** Fits the trees; rows with no targets are ignored by the loss. */
export function fitBoostedTrees(data: TrainingRows, options: BoostingOptions): BoostedTrees {
  if (!data.features.length) throw new Error('No training rows');
  const base = leafValues(data, new Float64Array(data.features.length), new Int32Array(data.features.length), 1)[0];
  const fitted = new Float64Array(data.features.length).fill(base);
  const binned = binRows(data.features, options.bins);
  const model: BoostedTrees = { base, learningRate: options.learningRate, depth: options.depth, trees: [] };
  for (let t = 0; t < options.trees; t++) {
    const { tree, leafOf } = growTree(data, binned, fitted, options);
    tree.leaf = leafValues(data, fitted, leafOf, 1 << options.depth);
    leafOf.forEach((l, i) => (fitted[i] += options.learningRate * tree.leaf[l]));
    model.trees.push(tree);
  }
  return model;
}

/** The model's prediction for one feature vector. */
export function predictBoosted(model: BoostedTrees, x: ArrayLike<number>): number {
  let sum = model.base;
  for (const tree of model.trees) {
    let k = 0;
    for (let d = 0; d < model.depth; d++) k = 2 * k + 1 + (x[tree.feature[k]] > tree.threshold[k] ? 1 : 0);
    sum += model.learningRate * tree.leaf[k - tree.feature.length];
  }
  return sum;
}
