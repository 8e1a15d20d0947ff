/**
 * A price suggestion from a product's fitted elasticity — the serving side's own copy of the rule, until the
 * pricing model's `suggestPrice` (ml/src/pricing/suggest.ts, same signature) is merged and replaces it.
 *
 * Under constant-elasticity demand q = a·p^e and a unit cost c, margin (p − c)·q is maximised at
 * p* = c·e / (1 + e) when e < −1 (elastic). When −1 ≤ e < 0 (inelastic) margin grows with price without
 * bound, so the suggestion is the highest price the product sold at: beyond the observed prices the fit says
 * nothing, which is also why p* is clamped to them. Only an interval that excludes zero counts as evidence;
 * demand rising with price points at something else (season, promotions) and gets no suggestion. A move of
 * at most 1 % is not worth a person's time: no change.
 */
import type { PricingEntry } from './contract';

export interface PriceSuggestion {
  suggestedPrice?: number;
  reason: string;
}

const gbp = (value: number) => `£${value.toFixed(2)}`;
const fixed = (value: number) => value.toFixed(2);
const pennies = (value: number) => Math.round(value * 100) / 100;
/** Moves smaller than this share of the current price are not suggested. */
const NO_CHANGE_SHARE = 0.01;

export function suggestPrice(entry: PricingEntry, currentPrice: number): PriceSuggestion {
  const { elasticity: e, interval, minObservedPrice: low, maxObservedPrice: high, unitCost } = entry;
  if (e === undefined || interval === undefined)
    return {
      reason: `Not enough evidence: the price varied too little over ${entry.observations} weeks of sales to estimate an elasticity.`,
    };
  const fit = `elasticity ${fixed(e)}, 95 % interval ${fixed(interval[0])} to ${fixed(interval[1])}`;
  if (interval[0] <= 0 && interval[1] >= 0)
    return { reason: `Not enough evidence: the ${fit} includes zero, so demand may not respond to price at all.` };
  if (e >= 0)
    return {
      reason: `No suggestion: demand rose with price (${fit}), which points at something other than price (season, promotions).`,
    };
  let target: number;
  let why: string;
  if (e < -1) {
    const optimum = (unitCost * e) / (1 + e);
    target = Math.min(high, Math.max(low, optimum));
    why =
      target === optimum
        ? `elastic demand (${fit}) at an assumed unit cost of ${gbp(unitCost)} makes ${gbp(optimum)} the margin-maximising price`
        : `elastic demand (${fit}) at an assumed unit cost of ${gbp(unitCost)} puts the margin-maximising price at ${gbp(optimum)}, outside the prices it sold at (${gbp(low)} to ${gbp(high)}), so the suggestion stops at ${gbp(target)}`;
  } else {
    target = high;
    why = `inelastic demand (${fit}) means margin grows with price, up to the highest price it sold at, ${gbp(high)}`;
  }
  target = pennies(target);
  if (Math.abs(target - currentPrice) <= NO_CHANGE_SHARE * currentPrice)
    return {
      reason: `No change: the current price ${gbp(currentPrice)} is within 1 % of ${gbp(target)}, where ${why}.`,
    };
  return { suggestedPrice: target, reason: `Suggested ${gbp(target)} (now ${gbp(currentPrice)}): ${why}.` };
}
