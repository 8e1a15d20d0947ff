/**
 * The serving side's price suggestion from a PricingEntry: pure, so the endpoint and the dashboard agree.
 * Margin (p − c) · q(p) with constant elasticity e < −1 peaks at p* = c · e / (1 + e); with −1 ≤ e < 0 margin
 * rises with price, so the best the data supports is the highest price the store has charged. Suggestions
 * never leave the observed price range: the curve says nothing about prices never tried.
 */
import type { PricingEntry } from '../insights/contract';
import { MIN_WEEKS, SAME_PRICE_TOLERANCE } from './rules';

export interface PriceSuggestion {
  suggestedPrice?: number;
  reason: string;
}

const gbp = (x: number) => `£${x.toFixed(2)}`;
const signed = (x: number) => (x > 0 ? `+${x.toFixed(2)}` : x.toFixed(2));
const estimate = (e: number, [lo, hi]: [number, number]) =>
  `elasticity ${signed(e)}, 95 % interval ${signed(lo)} to ${signed(hi)}`;
const roundPence = (x: number) => Math.round(x * 100) / 100;

/** Why an entry without an elasticity has none, from what it records. */
function unfitted(entry: PricingEntry): string {
  const { observations: n, minObservedPrice: lo, maxObservedPrice: hi } = entry;
  if (n < MIN_WEEKS)
    return `Not enough evidence: only ${n} week${n === 1 ? '' : 's'} with retail sales before the cut (${MIN_WEEKS} needed to estimate how demand responds to price).`;
  if (hi - lo < 0.005)
    return `Not enough evidence: the price stayed at ${gbp(lo)} in all ${n} weeks with sales, so demand's response to price cannot be measured.`;
  return `Not enough evidence: over ${n} weeks the price moved only between ${gbp(lo)} and ${gbp(hi)}, too rarely or too little to measure demand's response to it.`;
}

export function suggestPrice(entry: PricingEntry, currentPrice: number): PriceSuggestion {
  const { elasticity: e, interval, minObservedPrice: lo, maxObservedPrice: hi, unitCost: c } = entry;
  if (e === undefined || interval === undefined) return { reason: unfitted(entry) };
  const about = estimate(e, interval);
  if (interval[0] <= 0 && interval[1] >= 0)
    return {
      reason: `Not enough evidence: demand's response to price is too uncertain (${about}, which includes zero).`,
    };
  if (interval[0] > 0)
    return {
      reason: `Not enough evidence: units rose with price (${about}), so something else — season, promotions, a few big buyers — moved both; this is not a demand curve to set a price on.`,
    };
  let target: number;
  let why: string;
  if (e < -1) {
    const optimum = (c * e) / (1 + e);
    target = roundPence(Math.min(hi, Math.max(lo, optimum)));
    const where =
      optimum > hi
        ? `, above the highest price charged (${gbp(hi)}), so ${gbp(target)}`
        : optimum < lo
          ? `, below the lowest price charged (${gbp(lo)}), so ${gbp(target)}`
          : '';
    why = `with ${about} and an assumed unit cost of ${gbp(c)}, margin is highest at ${gbp(optimum)}${where}`;
  } else {
    target = roundPence(hi);
    why = `demand is inelastic (${about}), so a higher price loses fewer sales than it gains in margin: the best supported is the highest price the store has charged, ${gbp(hi)}`;
  }
  if (Math.abs(target - currentPrice) <= SAME_PRICE_TOLERANCE * currentPrice)
    return { reason: `Keep ${gbp(currentPrice)}: ${why}, within 1 % of it.` };
  const change = ((target - currentPrice) / currentPrice) * 100;
  return {
    suggestedPrice: target,
    reason: `Suggest ${gbp(target)} (${change > 0 ? '+' : ''}${change.toFixed(0)} % on ${gbp(currentPrice)}): ${why}.`,
  };
}
