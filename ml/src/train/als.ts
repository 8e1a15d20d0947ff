/**
 * Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) by alternating least squares, each
 * row's least-squares problem solved approximately by a few conjugate-gradient steps from its previous
 * value (Takács, Pilászy & Tikk 2011) — the method of the `implicit` Python library.
 */
import { seededRandom } from '../random';
import { transpose } from './matrix';

export interface AlsOptions {
  factors: number;
  regularization: number;
  /** Confidence of an observed pair: 1 + alpha · value. */
  alpha: number;
  iterations: number;
  cgSteps?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AlsModel {
  factors: number;
  /** nUsers × factors, row-major. */
  userFactors: Float64Array;
  /** nItems × factors, row-major. */
  itemFactors: Float64Array;
}

/** Gram matrix YᵀY (f × f) of the rows of `y`. */
function gram(y: Float64Array, rows: number, f: number): Float64Array {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const ya = y[o + a];
      if (ya === 0) continue;
      const ga = a * f;
      for (let b = 0; b < f; b++) g[ga + b] += ya * y[o + b];
    }
  }
  return g;
}

/**
 * One half-step: for every row u of `x`, a few CG steps on
 * (YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = YᵀCᵤ p(u), where Cᵤ = 1 + alpha · value on the row's entries.
 */
function solveRows(
  x: Float64Array,
  rows: number,
  y: Float64Array,
  yRows: number,
  f: number,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
  alpha: number,
  reg: number,
  cgSteps: number,
): void {
  const yty = gram(y, yRows, f);
  const r = new Float64Array(f);
  const p = new Float64Array(f);
  const ap = new Float64Array(f);
  for (let u = 0; u < rows; u++) {
    const xo = u * f;
    // r = b − A x
    for (let a = 0; a < f; a++) {
      let s = reg * x[xo + a];
      const ga = a * f;
      for (let b = 0; b < f; b++) s += yty[ga + b] * x[xo + b];
      r[a] = -s;
    }
    for (let e = indptr[u]; e < indptr[u + 1]; e++) {
      const yo = indices[e] * f;
      const c = 1 + alpha * values[e];
      let yx = 0;
      for (let a = 0; a < f; a++) yx += y[yo + a] * x[xo + a];
      const w = c - (c - 1) * yx;
      for (let a = 0; a < f; a++) r[a] += w * y[yo + a];
    }
    let rsOld = 0;
    for (let a = 0; a < f; a++) {
      p[a] = r[a];
      rsOld += r[a] * r[a];
    }
    for (let step = 0; step < cgSteps && rsOld > 1e-20; step++) {
      for (let a = 0; a < f; a++) {
        let s = reg * p[a];
        const ga = a * f;
        for (let b = 0; b < f; b++) s += yty[ga + b] * p[b];
        ap[a] = s;
      }
      for (let e = indptr[u]; e < indptr[u + 1]; e++) {
        const yo = indices[e] * f;
        const c1 = alpha * values[e];
        let yp = 0;
        for (let a = 0; a < f; a++) yp += y[yo + a] * p[a];
        const w = c1 * yp;
        for (let a = 0; a < f; a++) ap[a] += w * y[yo + a];
      }
      let pap = 0;
      for (let a = 0; a < f; a++) pap += p[a] * ap[a];
      if (!(pap > 0)) break;
      const step_ = rsOld / pap;
      let rsNew = 0;
      for (let a = 0; a < f; a++) {
        x[xo + a] += step_ * p[a];
        r[a] -= step_ * ap[a];
        rsNew += r[a] * r[a];
      }
      const beta = rsNew / rsOld;
      for (let a = 0; a < f; a++) p[a] = r[a] + beta * p[a];
      rsOld = rsNew;
    }
  }
}

/** Factorises the nUsers × nItems CSR matrix (`values`: the implicit feedback, e.g. units or invoices). */
export function trainAls(
  nUsers: number,
  nItems: number,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
  options: AlsOptions,
): AlsModel {
  const { factors: f, regularization, alpha, iterations, cgSteps = 3, seed = 42, onProgress } = options;
  const random = seededRandom(seed);
  const userFactors = new Float64Array(nUsers * f).map(() => (random() - 0.5) * 0.02);
  const itemFactors = new Float64Array(nItems * f).map(() => (random() - 0.5) * 0.02);
  const t = transpose(nUsers, nItems, indptr, indices, values);
  for (let it = 0; it < iterations; it++) {
    solveRows(userFactors, nUsers, itemFactors, nItems, f, indptr, indices, values, alpha, regularization, cgSteps);
    solveRows(
      itemFactors,
      nItems,
      userFactors,
      nUsers,
      f,
      t.indptr,
      t.indices,
      t.values,
      alpha,
      regularization,
      cgSteps,
    );
    onProgress?.(it + 1, iterations);
  }
  return { factors: f, userFactors, itemFactors };
}

/** Scores of every item for user `u`: xᵤ · yᵢ. */
export function alsScores(
  model: AlsModel,
  u: number,
  nItems: number,
  out: Float64Array = new Float64Array(nItems),
): Float64Array {
  const f = model.factors;
  const xo = u * f;
  for (let i = 0; i < nItems; i++) {
    let s = 0;
    const yo = i * f;
    for (let a = 0; a < f; a++) s += model.userFactors[xo + a] * model.itemFactors[yo + a];
    out[i] = s;
  }
  return out;
}
