/**
 * The artifact's pricing part (ml/src/insights/contract.ts): an entry for every product sold before the cut,
 * with an elasticity and its interval where the price varied enough to fit one, and the held-out check of
 * the curves on the last weeks before the cut.
 */
import type { PricingEntry, PricingPart } from '../insights/contract';
import { addWeeks, isMonday, weekIndex } from '../forecast/weeks';
import { fitCalibrated } from './calibrate';
import type { DemandFit } from './fit';
import { evaluateHoldout, type HoldoutResult } from './holdout';
import { loadPriceWeeks, type PriceSource } from './load';
import {
  MIN_LEVELS,
  MIN_LOG_PRICE_SD,
  MIN_WEEKS,
  MIN_WEEKS_PER_LEVEL,
  PRICE_RULE,
  PRICING_TEST_CUT,
  UNIT_COST_RULE,
  UNIT_COST_SHARE,
} from './rules';
import type { PriceWeeks } from './weeks';

export const FIT_RULE =
  `A product is fitted with at least ${MIN_WEEKS} weeks with sales and a retail price, at least ${MIN_LEVELS} weekly price ` +
  `levels (to the penny) seen in at least ${MIN_WEEKS_PER_LEVEL} weeks each, and a standard deviation of log price of at least ` +
  `${MIN_LOG_PRICE_SD}. Model: log units = product level + elasticity · log price + week effect (store-wide, shared by all ` +
  'products, fitted jointly by alternating least squares); 95 % interval from HC3-robust standard errors and Student t, ' +
  'widened by the factor that makes 95 % of placebo intervals (prices shifted in time against units) include zero.';

/** The held-out check runs when the cut leaves at least this many weeks before asOf. */
const MIN_HOLDOUT_WEEKS = 4;

/** Weekly prices are means of line prices: kept to a hundredth of a penny, without float noise, and positive. */
const round4 = (x: number) => Math.max(0.0001, Math.round(x * 10000) / 10000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Entries for every product with sales in weeks [0, weeks) of `data`, from `fit`. */
function entriesOf(data: PriceWeeks, fit: DemandFit, weeks: number): Record<string, PricingEntry> {
  const products: Record<string, PricingEntry> = {};
  for (const [id, p] of data.products) {
    const f = fit.products.get(id);
    // Products sold only in wholesale lots or without a customer: the range of what they were sold at.
    const prices = f?.prices ?? Array.from(p.anyPrice.subarray(0, weeks)).filter(Number.isFinite);
    if (prices.length === 0) continue;
    const entry: PricingEntry = {
      observations: f?.weeks.length ?? 0,
      minObservedPrice: round4(Math.min(...prices)),
      maxObservedPrice: round4(Math.max(...prices)),
      unitCost: round4(UNIT_COST_SHARE * median(prices)),
    };
    if (f?.line) [entry.elasticity, entry.interval] = [f.line.slope, f.line.interval];
    products[id] = entry;
  }
  return products;
}

const excludesZero = (e: PricingEntry) => e.interval !== undefined && (e.interval[0] > 0 || e.interval[1] < 0);

/** The part from product-weeks read up to `asOf` (a Monday). */
export function pricingPartOf(data: PriceWeeks, asOf: string): PricingPart {
  const started = performance.now();
  const weeks = Math.min(data.weeks, weekIndex(data.origin, asOf));
  const { fit, calibration } = fitCalibrated(data, 0, weeks);
  const products = entriesOf(data, fit, weeks);
  const entries = Object.values(products);
  const significant = entries.filter(excludesZero);
  const cut = weekIndex(data.origin, PRICING_TEST_CUT);
  const holdout: HoldoutResult | undefined =
    weeks - cut >= MIN_HOLDOUT_WEEKS && cut > MIN_WEEKS ? evaluateHoldout(data, cut, weeks) : undefined;
  return {
    unitCostRule: UNIT_COST_RULE,
    products,
    metrics: {
      priceRule: PRICE_RULE,
      fitRule: FIT_RULE,
      asOf,
      weeks: `${data.origin} to ${addWeeks(data.origin, weeks)} (exclusive), ${weeks} weeks`,
      productsWithSales: entries.length,
      productsFitted: entries.filter((e) => e.elasticity !== undefined).length,
      intervalExcludesZero: significant.length,
      elastic: significant.filter((e) => e.elasticity! < -1).length,
      inelastic: significant.filter((e) => e.elasticity! >= -1 && e.elasticity! < 0).length,
      positive: significant.filter((e) => e.elasticity! > 0).length,
      fitIterations: fit.iterations,
      intervalCalibration: calibration,
      holdout: holdout && { cut: PRICING_TEST_CUT, until: asOf, ...holdout },
      seconds: Math.round(performance.now() - started) / 1000,
    },
  };
}

/**
 * The pricing part at `asOf` (a Monday; lines from then on are not read): from a dataset folder, invoice
 * lines, or batches of them.
 */
export async function buildPricingPart(source: PriceSource, asOf: string): Promise<PricingPart> {
  if (!isMonday(asOf)) throw new Error(`asOf ${asOf} is not a Monday: the part is fitted on whole ISO weeks`);
  return pricingPartOf(await loadPriceWeeks(source, { until: asOf }), asOf);
}
