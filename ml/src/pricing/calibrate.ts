/**
 * Calibrating the intervals with a placebo. HC3 assumes independent weeks, but a product's prices are step
 * functions (a list price held for months, a markdown, a re-pricing) and its demand drifts (launch, fading,
 * clearance): any step series correlates with that drift by chance more often than independent weeks
 * would allow. The placebo measures how often: each product's prices are shifted in time (circularly
 * over its priced weeks, by a third, a half and two thirds of them) against its units with the
 * fitted price effect taken out, which keeps both series' persistence and their distributions but leaves
 * no link between them, and the curves are refitted. On the full data 9 % of placebo intervals exclude zero
 * instead of 5 % (6 % before 2011-09-05). The intervals are therefore widened by the factor that brings the
 * placebo back to 5 %: the 95th percentile, over the placebo fits, of |elasticity| / half-width (at least 1).
 * Measured on the same weeks as the fit, so nothing after the cut is used. Rotating a single step does not
 * reproduce every chance alignment of a step with drifting demand, so this is a floor, not a guarantee.
 */
import { fitDemand, type DemandFit } from './fit';
import { observedWeeks, type PriceWeeks, type ProductWeeks } from './weeks';

const SHIFTS = [1 / 3, 1 / 2, 2 / 3];
const FALSE_POSITIVE_RATE = 0.05;

export interface Calibration {
  /** The intervals' half-widths are multiplied by this (at least 1). */
  factor: number;
  /** Share of placebo intervals that excluded zero before widening. */
  placeboRate: number;
  /** Placebo fits it was measured on. */
  placeboFits: number;
}

/**
 * The placebo's product-weeks: each product's units with its fitted price effect taken out (so that what is
 * left has none to find), and its prices over weeks [from, to) rotated by `share` of its priced weeks.
 */
export function shiftedPrices(data: PriceWeeks, from: number, to: number, share: number, fit?: DemandFit): PriceWeeks {
  const products = new Map<string, ProductWeeks>();
  for (const [id, p] of data.products) {
    const weeks = observedWeeks(p, from, to);
    const price = p.price.slice();
    const units = p.units.slice();
    const slope = fit?.products.get(id)?.line?.slope ?? 0;
    const k = Math.round(weeks.length * share);
    weeks.forEach((w, i) => {
      price[w] = p.price[weeks[(i + k) % weeks.length]];
      units[w] = p.units[w] * Math.exp(-slope * Math.log(p.price[w]));
    });
    products.set(id, { ...p, units, price });
  }
  return { ...data, products };
}

/** The widening factor of weeks [from, to) (see above). */
export function calibrate(data: PriceWeeks, from: number, to: number, fit?: DemandFit): Calibration {
  const ratios: number[] = [];
  for (const share of SHIFTS)
    for (const p of fitDemand(shiftedPrices(data, from, to, share, fit), from, to, true).products.values())
      if (p.line) ratios.push(Math.abs(p.line.slope) / ((p.line.interval[1] - p.line.interval[0]) / 2));
  if (ratios.length === 0) return { factor: 1, placeboRate: 0, placeboFits: 0 };
  ratios.sort((a, b) => a - b);
  const quantile = ratios[Math.min(ratios.length - 1, Math.ceil((1 - FALSE_POSITIVE_RATE) * ratios.length) - 1)];
  return {
    factor: Math.max(1, quantile),
    placeboRate: ratios.filter((r) => r > 1).length / ratios.length,
    placeboFits: ratios.length,
  };
}

/** The demand fit of weeks [from, to) with its intervals widened by the placebo's factor. */
export function fitCalibrated(
  data: PriceWeeks,
  from: number,
  to: number,
): { fit: DemandFit; calibration: Calibration } {
  const fit = fitDemand(data, from, to, true);
  const calibration = calibrate(data, from, to, fit);
  for (const p of fit.products.values())
    if (p.line) {
      const half = ((p.line.interval[1] - p.line.interval[0]) / 2) * calibration.factor;
      p.line.interval = [p.line.slope - half, p.line.slope + half];
    }
  return { fit, calibration };
}
