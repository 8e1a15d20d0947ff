/**
 * A synthetic store for the pricing tests (as ml/src/synthetic.ts is for recommendations): known
 * elasticities, store-wide week effects, seeded noise.
 */
import { seededRandom } from '../random';
import type { PriceWeeks, ProductWeeks } from './weeks';

export interface SyntheticOptions {
  products: number;
  weeks: number;
  /** The true elasticity of product i. */
  elasticity: (i: number) => number;
  /** Standard deviation of the log-units noise. */
  noise: number;
  seed?: number;
}

/** Normal deviate by Box–Muller. */
const normal = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * Log units = level + e · log price + week effect + noise, the week effect a strong season shared by all;
 * prices switch between a few list levels every few weeks, and units are kept unrounded so that the log is exact.
 */
export function syntheticStore(o: SyntheticOptions): { data: PriceWeeks; weekEffect: number[] } {
  const random = seededRandom(o.seed ?? 1);
  const weekEffect = Array.from({ length: o.weeks }, (_, w) => 0.8 * Math.sin((2 * Math.PI * w) / 26) + 0.02 * w);
  const products = new Map<string, ProductWeeks>();
  for (let i = 0; i < o.products; i++) {
    const base = 1 + 4 * random();
    const levels = [base, base * 0.85, base * 1.15];
    const units = new Float64Array(o.weeks);
    const price = new Float64Array(o.weeks);
    let level = 0;
    for (let w = 0; w < o.weeks; w++) {
      if (w % 4 === 0) level = Math.floor(random() * levels.length);
      price[w] = levels[level];
      units[w] = Math.exp(3 + o.elasticity(i) * Math.log(price[w]) + weekEffect[w] + o.noise * normal(random));
    }
    products.set(`2${String(i).padStart(4, '0')}`, { units, price, anyPrice: price.slice() });
  }
  return { data: { origin: '2011-01-03', weeks: o.weeks, products }, weekEffect };
}
