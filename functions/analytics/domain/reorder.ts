/**
 * Reorder suggestions: a product's stock now against the demand-insights model's weekly forecasts. Pure.
 *
 * The rule, stated where it is shown (each item's message, the insights route's summary): an order placed now
 * arrives after LEAD_WEEKS, and the next chance to order again is REVIEW_WEEKS later, so stock must cover the
 * demand of the PROTECTION_WEEKS (lead time + review period) ahead. At the service level the p90 of that demand is
 * what is covered: the sum of the weekly p90 forecasts, which is at least the p90 of the weeks' sum (weekly demands
 * do not move perfectly together), so the stated 90 % is a floor. The suggested quantity is that demand less what is
 * available, and a product is listed only when it is short (a suggested quantity above zero). Weeks of cover is
 * what is available over the forecast's mean weekly units in those weeks.
 */
import type { Insight } from '../schemas';

export const LEAD_WEEKS = 2;
export const REVIEW_WEEKS = 2;
export const PROTECTION_WEEKS = LEAD_WEEKS + REVIEW_WEEKS;
export const SERVICE_LEVEL = 0.9;
export const MAX_REORDER_ITEMS = 10;

export const REORDER_RULE =
  `order up to the p90 of forecast demand over ${LEAD_WEEKS} weeks' lead time and a ${REVIEW_WEEKS}-week review period ` +
  `(the sum of the weekly p90 forecasts, a service level of at least ${SERVICE_LEVEL * 100} %), less the units available`;

export interface StockAgainstForecast {
  productId: string;
  available: number;
  /** The model's weeks from its cut, first PROTECTION_WEEKS used. */
  weeks: readonly { units: number; p90: number }[];
}

export interface ShortCover {
  productId: string;
  available: number;
  /** Mean forecast units a week over the protection weeks. */
  weeklyUnits: number;
  weeksOfCover: number;
  /** The p90 of demand over the protection weeks (the sum of the weekly p90s). */
  demandAtService: number;
  suggestedQuantity: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** One product's position against the rule; undefined when it is not short or the model forecasts nothing. */
export function coverOf(p: StockAgainstForecast): ShortCover | undefined {
  const weeks = p.weeks.slice(0, PROTECTION_WEEKS);
  if (weeks.length < PROTECTION_WEEKS) return undefined;
  const weeklyUnits = weeks.reduce((sum, w) => sum + w.units, 0) / weeks.length;
  const demandAtService = weeks.reduce((sum, w) => sum + w.p90, 0);
  const available = Math.max(0, p.available);
  const suggestedQuantity = Math.ceil(demandAtService - available);
  if (weeklyUnits <= 0 || suggestedQuantity <= 0) return undefined;
  return {
    productId: p.productId,
    available,
    weeklyUnits,
    weeksOfCover: available / weeklyUnits,
    demandAtService,
    suggestedQuantity,
  };
}

/** The products short of cover, least cover first (ties: the larger order first, then by id), at most MAX_REORDER_ITEMS. */
export function shortOfCover(products: readonly StockAgainstForecast[]): ShortCover[] {
  return products
    .map(coverOf)
    .filter((c): c is ShortCover => c !== undefined)
    .sort(
      (a, b) =>
        a.weeksOfCover - b.weeksOfCover ||
        b.suggestedQuantity - a.suggestedQuantity ||
        a.productId.localeCompare(b.productId),
    )
    .slice(0, MAX_REORDER_ITEMS);
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The finding as the insights route lists it, with the rule in its message. */
export function reorderInsight(c: ShortCover, name: string, asOf: string): Insight {
  return {
    kind: 'reorder',
    productId: c.productId,
    metric: round1(c.weeksOfCover),
    weeksOfCover: round1(c.weeksOfCover),
    suggestedQuantity: c.suggestedQuantity,
    serviceLevel: SERVICE_LEVEL,
    available: c.available,
    message:
      `Reorder: ${name} has ${fmt(c.available)} available, about ${fmt(c.weeksOfCover, 1)} weeks of cover at the forecast ` +
      `${fmt(c.weeklyUnits, 1)} a week (model weeks from ${asOf}). Suggested order: ${fmt(c.suggestedQuantity)} units, to ` +
      `${REORDER_RULE}: ${fmt(c.demandAtService)} − ${fmt(c.available)}.`,
  };
}
