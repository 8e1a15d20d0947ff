/**
 * The price model's rules, in one place: which lines measure demand and price, which products have enough
 * price variation to fit, and the unit-cost assumption. Fixed before looking at the held-out weeks.
 */

/**
 * Lines of at most this many units are "retail-size": they pay the product's list price. The dataset sells
 * most products in quantity tiers (e.g. 23084 at £2.08 up to 12 units, £1.79 from 24; 85123A £2.95 and
 * £2.55 from 32), so a week's mean price over all lines falls whenever a wholesale buyer orders a big lot —
 * in exactly the weeks units jump. That is reverse causation, not elasticity. The week's price is therefore
 * measured on retail-size lines only, so that it moves only when the list price moves.
 */
export const RETAIL_LINE_MAX_UNITS = 12;

/** A fit needs at least this many weeks with sales and a retail price. */
export const MIN_WEEKS = 12;
/** …and at least this many distinct weekly price levels (to the penny) seen in at least MIN_WEEKS_PER_LEVEL weeks each. */
export const MIN_LEVELS = 2;
export const MIN_WEEKS_PER_LEVEL = 3;
/** …and a standard deviation of log price of at least this (about 3 % price moves). */
export const MIN_LOG_PRICE_SD = 0.03;

/** The assumed unit cost: a share of the median weekly retail price. */
export const UNIT_COST_SHARE = 0.6;
export const UNIT_COST_RULE =
  `Unit cost assumed to be ${UNIT_COST_SHARE * 100} % of the product's median weekly retail price before the cut ` +
  '(a 40 % gross margin, usual for gift-ware retail): the data has no costs.';

/** Demand and price rule, as recorded with the part's metrics. */
export const PRICE_RULE =
  'Demand: units per ISO week (Monday–Sunday, UK local dates) over merchandise lines with Quantity > 0, ' +
  'UnitPrice > 0, not a cancellation (the forecast units rule) and a CustomerID (lines without one are billed ' +
  'from a separate price list at about twice the trade price, so are left out of demand and price). ' +
  `Price: the units-weighted mean UnitPrice of that week's lines of at most ${RETAIL_LINE_MAX_UNITS} units ` +
  '(retail-size, list price), so that wholesale quantity discounts do not pass for price changes; weeks ' +
  'without such a line have no price and are not used.';

/** No suggestion when the margin-maximising price is within this share of the current price. */
export const SAME_PRICE_TOLERANCE = 0.01;

/** The held-out cut of ml:evaluate --task pricing. */
export const PRICING_TEST_CUT = '2011-09-05';
