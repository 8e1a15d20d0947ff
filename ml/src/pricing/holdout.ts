/**
 * The held-out check: demand curves fitted on the weeks before a cut, scored on the weeks after it at the
 * prices actually charged, beside the same model without the price term (week effects and product level
 * only). Neither model knows the store's demand in a future week, so both get the same kind of week effect
 * there: the mean, over the other products sold that week, of their actual log units minus their own fitted
 * part (leave the scored product out, so that its own units never predict it). What is left to predict is
 * the product's deviation from the store's week — where the price term can help or hurt.
 */
import { fitCalibrated, type Calibration } from './calibrate';
import { fitDemand, productPart, type DemandFit } from './fit';
import { observedWeeks, type PriceWeeks } from './weeks';

export interface HoldoutErrors {
  /** Root mean squared error of log units. */
  rmseLog: number;
  /** Σ |units − exp(predicted log units)| / Σ units. */
  wape: number;
}

export interface HoldoutGroup {
  products: number;
  productWeeks: number;
  withPrice: HoldoutErrors;
  withoutPrice: HoldoutErrors;
}

/**
 * Scored: the products fitted with a price term before the cut, in their weeks after it with sales and a
 * retail price (`all`); those whose interval excluded zero (`significant`); and the weeks whose price was more
 * than 1 % from the product's median price before the cut (`priceMoved`), where only the price term can help.
 */
export interface HoldoutResult {
  /** Products fitted with a price term before the cut, and how many of their intervals excluded zero. */
  fitted: number;
  excludesZero: number;
  /** The placebo widening of the intervals, measured before the cut. */
  calibration: Calibration;
  all: HoldoutGroup;
  significant: HoldoutGroup;
  priceMoved: HoldoutGroup;
}

type Residuals = { sums: Float64Array; counts: Float64Array; part: (id: string, w: number) => number | undefined };

/** Every known product's residual (actual − own fitted part) in weeks [from, to), summed per week. */
function residualsOf(data: PriceWeeks, fit: DemandFit, from: number, to: number): Residuals {
  const part = (id: string, w: number) => {
    const f = fit.products.get(id);
    if (!f) return undefined;
    // The curve is scored only inside the prices it was fitted on, as suggestions are made only there.
    const price = Math.min(Math.max(data.products.get(id)!.price[w], Math.min(...f.prices)), Math.max(...f.prices));
    return productPart(f, Math.log(price));
  };
  const sums = new Float64Array(data.weeks);
  const counts = new Float64Array(data.weeks);
  for (const [id, p] of data.products)
    for (const w of observedWeeks(p, from, to)) {
      const own = part(id, w);
      if (own === undefined) continue;
      sums[w] += Math.log(p.units[w]) - own;
      counts[w]++;
    }
  return { sums, counts, part };
}

/** Predicted log units of a product-week: its part plus the other products' mean residual that week. */
function predict(r: Residuals, id: string, w: number, actualLog: number): number | undefined {
  const own = r.part(id, w);
  if (own === undefined || r.counts[w] < 2) return undefined;
  return own + (r.sums[w] - (actualLog - own)) / (r.counts[w] - 1);
}

class ErrorSums {
  squared = 0;
  absolute = 0;
  units = 0;
  n = 0;
  add(units: number, predictedLog: number) {
    this.squared += (Math.log(units) - predictedLog) ** 2;
    this.absolute += Math.abs(units - Math.exp(predictedLog));
    this.units += units;
    this.n++;
  }
  errors = (): HoldoutErrors => ({ rmseLog: Math.sqrt(this.squared / this.n), wape: this.absolute / this.units });
}

class Group {
  readonly with = new ErrorSums();
  readonly without = new ErrorSums();
  readonly products = new Set<string>();
  add(id: string, units: number, withPrice: number, withoutPrice: number) {
    this.with.add(units, withPrice);
    this.without.add(units, withoutPrice);
    this.products.add(id);
  }
  result = (): HoldoutGroup => ({
    products: this.products.size,
    productWeeks: this.with.n,
    withPrice: this.with.errors(),
    withoutPrice: this.without.errors(),
  });
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Fits both models on weeks [0, cut) and scores them on weeks [cut, end). */
export function evaluateHoldout(data: PriceWeeks, cut: number, end: number): HoldoutResult {
  const { fit: withPrice, calibration } = fitCalibrated(data, 0, cut);
  const withoutPrice = fitDemand(data, 0, cut, false);
  const rWith = residualsOf(data, withPrice, cut, end);
  const rWithout = residualsOf(data, withoutPrice, cut, end);
  const [all, significant, priceMoved] = [new Group(), new Group(), new Group()];
  let [fitted, excluding] = [0, 0];
  for (const [id, fit] of withPrice.products) {
    if (!fit.line) continue;
    const p = data.products.get(id)!;
    const excludesZero = fit.line.interval[0] > 0 || fit.line.interval[1] < 0;
    [fitted, excluding] = [fitted + 1, excluding + (excludesZero ? 1 : 0)];
    const usual = medianOf(fit.prices);
    for (const w of observedWeeks(p, cut, end)) {
      const y = Math.log(p.units[w]);
      const a = predict(rWith, id, w, y);
      const b = predict(rWithout, id, w, y);
      if (a === undefined || b === undefined) continue;
      all.add(id, p.units[w], a, b);
      if (excludesZero) significant.add(id, p.units[w], a, b);
      if (Math.abs(p.price[w] / usual - 1) > 0.01) priceMoved.add(id, p.units[w], a, b);
    }
  }
  return {
    fitted,
    excludesZero: excluding,
    calibration,
    all: all.result(),
    significant: significant.result(),
    priceMoved: priceMoved.result(),
  };
}
