/**
 * Simple linear regression y = a + b·x with heteroskedasticity-robust (HC3) standard errors and a Student-t
 * interval. HC3 rather than HC0/HC1: the fits have a dozen to fifty weeks, and a few weeks at an unusual
 * price carry high leverage; HC3 (MacKinnon & White 1985) keeps the interval honest in such small samples.
 */

export interface LineFit {
  intercept: number;
  slope: number;
  /** HC3 standard error of the slope. */
  slopeSe: number;
  /** 95 % interval of the slope: slope ± t(0.975, n − 2) · se. */
  interval: [number, number];
  n: number;
  /** Residual standard deviation (n − 2 degrees of freedom). */
  sigma: number;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1): ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Student-t quantile by the Cornish–Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5); within 0.002
 * of the exact value from 5 degrees of freedom, which the fits always have (MIN_WEEKS − 2 = 10).
 */
export function tQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const z2 = z * z;
  const g1 = ((z2 + 1) * z) / 4;
  const g2 = (((5 * z2 + 16) * z2 + 3) * z) / 96;
  const g3 = ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z) / 384;
  const g4 = (((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** Least squares of y on x with an intercept; undefined when x does not vary or n < 3. */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit | undefined {
  const n = x.length;
  if (n < 3 || y.length !== n) return undefined;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) [mx, my] = [mx + x[i] / n, my + y[i] / n];
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 1e-12 * n)) return undefined;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  // HC3: Var(b) = Σ (x_i − x̄)² e_i² / (1 − h_i)² / Sxx², h_i = 1/n + (x_i − x̄)² / Sxx.
  let meat = 0;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - intercept - slope * x[i];
    const dx = x[i] - mx;
    const h = 1 / n + (dx * dx) / sxx;
    meat += (dx * dx * e * e) / Math.max(1e-12, 1 - h) ** 2;
    rss += e * e;
  }
  const slopeSe = Math.sqrt(meat) / sxx;
  const half = tQuantile(0.975, n - 2) * slopeSe;
  return { intercept, slope, slopeSe, interval: [slope - half, slope + half], n, sigma: Math.sqrt(rss / (n - 2)) };
}
