/**
 * EASE (Steck 2019): a dense item × item linear model, closed form B = I − P·diag(1/diag P) with
 * P = (XᵀX + λI)⁻¹, diagonal zero. Inverting the Gram matrix costs about n³/2 multiply-adds for n products
 * (Cholesky, triangular inverse, product), every inner loop a dot product of contiguous row segments.
 */

export interface EaseModel {
  n: number;
  /** n × n, row-major: the score of column j contributed by a purchase of row i. */
  weights: Float32Array;
}

/** In place: the lower Cholesky factor L of the SPD matrix `a` (row-major n × n; the upper part is left as is). */
function cholesky(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = a[ri + j] - dot(a, ri, a, rj, j);
      if (i === j) {
        if (!(s > 0)) throw new Error(`EASE: Gram matrix not positive definite at ${i}`);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
  }
}

/** Σ x[xo + t] · y[yo + t] for t < n, four accumulators. */
function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += x[xo + t] * y[yo + t];
    s1 += x[xo + t + 1] * y[yo + t + 1];
    s2 += x[xo + t + 2] * y[yo + t + 2];
    s3 += x[xo + t + 3] * y[yo + t + 3];
  }
  for (; t < n; t++) s0 += x[xo + t] * y[yo + t];
  return s0 + s1 + s2 + s3;
}

/**
 * U = (L⁻¹)ᵀ, upper triangular, row-major — so that both this and the product below are dot products
 * of contiguous row segments: U[j][i] = −(Σₖ L[i][k] U[j][k], j ≤ k < i) / L[i][i].
 */
function inverseTransposed(l: Float64Array, n: number): Float64Array {
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const d = 1 / l[ri + i];
    for (let j = 0; j < i; j++) u[j * n + i] = -dot(l, ri + j, u, j * n + j, i - j) * d;
    u[ri + i] = d;
  }
  return u;
}

/** P = U Uᵀ for upper-triangular U: P[a][b] = Σₖ U[a][k] U[b][k], k ≥ max(a, b); symmetric, filled whole. */
function upperTimesTransposed(u: Float64Array, n: number): Float64Array {
  const p = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ra = a * n;
    for (let b = 0; b <= a; b++) {
      const v = dot(u, ra + a, u, b * n + a, n - a);
      p[ra + b] = v;
      p[b * n + a] = v;
    }
  }
  return p;
}

/** EASE weights from each user's distinct products (column indices) with L2 penalty `lambda`. */
export function trainEase(rows: Int32Array[], n: number, lambda: number): EaseModel {
  const g = new Float64Array(n * n);
  for (const row of rows) {
    for (let x = 0; x < row.length; x++) {
      const ri = row[x] * n;
      for (let y = 0; y < row.length; y++) g[ri + row[y]] += 1;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i] += lambda;
  cholesky(g, n);
  const p = upperTimesTransposed(inverseTransposed(g, n), n);
  const weights = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    const d = p[j * n + j];
    for (let i = 0; i < n; i++) weights[i * n + j] = i === j ? 0 : -p[i * n + j] / d;
  }
  return { n, weights };
}

/** Scores of every product for a user who bought `row` (column indices). */
export function easeScores(
  model: EaseModel,
  row: ArrayLike<number>,
  out: Float64Array = new Float64Array(model.n),
): Float64Array {
  const { n, weights } = model;
  out.fill(0);
  for (let x = 0; x < row.length; x++) {
    const ri = row[x] * n;
    for (let j = 0; j < n; j++) out[j] += weights[ri + j];
  }
  return out;
}
