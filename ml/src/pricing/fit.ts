/**
 * Log-log demand with week effects: log units[p, w] = level[p] + elasticity[p] · log price[p, w] + week[w] + ε,
 * over the weeks with sales and a retail price. The week effects are store-wide demand (season, Christmas,
 * trading days) shared by every product, estimated jointly with the product terms by alternating least
 * squares (backfitting): products' fits given the week effects, then the week effects as the mean residual
 * of all products sold that week, until nothing moves. Products without enough price variation get a level
 * only; they still inform the week effects. The elasticity's interval is HC3-robust around the final fit,
 * taking the week effects as known (each is a mean over hundreds of products).
 */
import { eligibility, type Eligibility } from './eligibility';
import { fitLine, type LineFit } from './regression';
import { observedWeeks, type PriceWeeks } from './weeks';

/** A product needs this many weeks to inform the week effects (a level from fewer is mostly noise). */
const MIN_WEEKS_FOR_WEEK_EFFECTS = 4;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-7;

export interface ProductFit {
  /** Week indices used: sales and a retail price. */
  weeks: number[];
  /** The weekly prices of those weeks. */
  prices: number[];
  level: number;
  eligibility: Eligibility;
  /** The price term, when fitted (eligible and the model has one). */
  line?: LineFit;
}

export interface DemandFit {
  withPrice: boolean;
  /** Store-wide log demand per week index (0 where no product was used), mean 0 over weeks with data. */
  weekEffects: Float64Array;
  products: Map<string, ProductFit>;
  iterations: number;
}

/** The product's fitted log units at a log price, week effect excluded. */
export const productPart = (fit: ProductFit, logPrice: number): number =>
  fit.line ? fit.line.intercept + fit.line.slope * logPrice : fit.level;

function refitProduct(fit: ProductFit, y: (w: number) => number, weekEffects: Float64Array, withPrice: boolean) {
  const z = fit.weeks.map((w) => y(w) - weekEffects[w]);
  if (withPrice && fit.eligibility.fit) {
    fit.line = fitLine(fit.prices.map(Math.log), z);
    if (fit.line) fit.level = fit.line.intercept;
  }
  if (!fit.line) fit.level = z.reduce((a, b) => a + b, 0) / Math.max(1, z.length);
}

/** Fits every product sold in weeks [from, to) of `data`. */
export function fitDemand(data: PriceWeeks, from: number, to: number, withPrice: boolean): DemandFit {
  const products = new Map<string, ProductFit>();
  for (const [id, p] of data.products) {
    const weeks = observedWeeks(p, from, to);
    if (weeks.length === 0) continue;
    const prices = weeks.map((w) => p.price[w]);
    products.set(id, { weeks, prices, level: 0, eligibility: eligibility(prices) });
  }
  const logUnits = (id: string) => (w: number) => Math.log(data.products.get(id)!.units[w]);
  const weekEffects = new Float64Array(data.weeks);
  const sums = new Float64Array(data.weeks);
  const counts = new Float64Array(data.weeks);
  let iterations = 0;
  for (let change = Infinity; change > TOLERANCE && iterations < MAX_ITERATIONS; iterations++) {
    sums.fill(0);
    counts.fill(0);
    for (const [id, fit] of products) {
      refitProduct(fit, logUnits(id), weekEffects, withPrice);
      if (fit.weeks.length < MIN_WEEKS_FOR_WEEK_EFFECTS) continue;
      const y = logUnits(id);
      fit.weeks.forEach((w, i) => {
        sums[w] += y(w) - productPart(fit, Math.log(fit.prices[i]));
        counts[w]++;
      });
    }
    change = updateWeekEffects(weekEffects, sums, counts);
  }
  for (const [id, fit] of products) refitProduct(fit, logUnits(id), weekEffects, withPrice);
  return { withPrice, weekEffects, products, iterations };
}

/** Sets the week effects to the mean residuals, centred; returns the largest change. */
function updateWeekEffects(weekEffects: Float64Array, sums: Float64Array, counts: Float64Array): number {
  let total = 0;
  let n = 0;
  for (let w = 0; w < sums.length; w++) if (counts[w] > 0) [total, n] = [total + sums[w] / counts[w], n + 1];
  const centre = n > 0 ? total / n : 0;
  let change = 0;
  for (let w = 0; w < sums.length; w++) {
    const next = counts[w] > 0 ? sums[w] / counts[w] - centre : 0;
    change = Math.max(change, Math.abs(next - weekEffects[w]));
    weekEffects[w] = next;
  }
  return change;
}
