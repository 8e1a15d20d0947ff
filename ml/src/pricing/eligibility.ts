/** Whether a product's prices varied enough to fit a demand curve (the rule in rules.ts). */
import { MIN_LEVELS, MIN_LOG_PRICE_SD, MIN_WEEKS, MIN_WEEKS_PER_LEVEL } from './rules';

export type Eligibility = { fit: true } | { fit: false; why: 'few-weeks' | 'few-levels' | 'little-variation' };

/** Standard deviation (n − 1) of the logs of the prices. */
export function logPriceSd(prices: readonly number[]): number {
  if (prices.length < 2) return 0;
  const logs = prices.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  return Math.sqrt(logs.reduce((a, v) => a + (v - mean) ** 2, 0) / (logs.length - 1));
}

/** The weekly prices (one per week with sales) of a product. */
export function eligibility(prices: readonly number[]): Eligibility {
  if (prices.length < MIN_WEEKS) return { fit: false, why: 'few-weeks' };
  const weeksAt = new Map<number, number>();
  for (const p of prices) {
    const pence = Math.round(p * 100);
    weeksAt.set(pence, (weeksAt.get(pence) ?? 0) + 1);
  }
  const levels = [...weeksAt.values()].filter((n) => n >= MIN_WEEKS_PER_LEVEL).length;
  if (levels < MIN_LEVELS) return { fit: false, why: 'few-levels' };
  if (logPriceSd(prices) < MIN_LOG_PRICE_SD) return { fit: false, why: 'little-variation' };
  return { fit: true };
}
