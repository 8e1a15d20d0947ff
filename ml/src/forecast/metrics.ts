/**
 * Forecast accuracy over many products and weeks. WAPE weights every unit alike, so the big sellers that
 * matter for stock dominate it; MASE scales each product's error by how hard the product is to forecast
 * (the mean absolute week-to-week change of its training history), so it weighs products alike.
 */

/** Sum of |actual − forecast| over sum of actual, over all products and weeks. NaN when nothing sold. */
export function wape(actual: ArrayLike<number>[], forecast: ArrayLike<number>[]): number {
  let error = 0;
  let total = 0;
  actual.forEach((a, i) => {
    for (let h = 0; h < a.length; h++) {
      error += Math.abs(a[h] - forecast[i][h]);
      total += a[h];
    }
  });
  return total > 0 ? error / total : NaN;
}

/** Mean absolute one-week change of a history: the in-sample naive forecast's error. */
export function naiveScale(history: ArrayLike<number>): number {
  let sum = 0;
  for (let t = 1; t < history.length; t++) sum += Math.abs(history[t] - history[t - 1]);
  return history.length > 1 ? sum / (history.length - 1) : NaN;
}

/**
 * Mean over products of (mean absolute error over the horizon) / naiveScale(history). Products whose
 * history never changes (scale 0 or undefined) are left out, as MASE is undefined for them.
 */
export function mase(actual: ArrayLike<number>[], forecast: ArrayLike<number>[], history: ArrayLike<number>[]): number {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    const scale = naiveScale(history[i]);
    if (!(scale > 0)) return;
    let error = 0;
    for (let h = 0; h < a.length; h++) error += Math.abs(a[h] - forecast[i][h]);
    sum += error / a.length / scale;
    n++;
  });
  return n > 0 ? sum / n : NaN;
}

/** Share of actual product-weeks inside [lower, upper] (bounds included). */
export function coverage(actual: ArrayLike<number>[], lower: ArrayLike<number>[], upper: ArrayLike<number>[]): number {
  let inside = 0;
  let n = 0;
  actual.forEach((a, i) => {
    for (let h = 0; h < a.length; h++) {
      if (a[h] >= lower[i][h] && a[h] <= upper[i][h]) inside++;
      n++;
    }
  });
  return n > 0 ? inside / n : NaN;
}
