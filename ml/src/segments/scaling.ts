/**
 * The transform and standardisation of the contract's `assignment`: log1p (the features are counts and sums
 * with long right tails: a few wholesale buyers spend a hundred times the median), then z-scores.
 */
export type Transform = 'log1p' | 'none';

export interface Scaling {
  transform: Transform;
  mean: number[];
  scale: number[];
}

const apply = (transform: Transform, x: number) => (transform === 'log1p' ? Math.log1p(x) : x);

/** The mean and (population) standard deviation of each transformed feature; a constant feature gets scale 1. */
export function fitScaling(vectors: number[][], transform: Transform): Scaling {
  const d = vectors[0]?.length ?? 0;
  const n = vectors.length;
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (const v of vectors)
    for (let j = 0; j < d; j++) {
      const x = apply(transform, v[j]);
      mean[j] += x / n;
      sq[j] += (x * x) / n;
    }
  const scale = mean.map((m, j) => {
    const sd = Math.sqrt(Math.max(0, sq[j] - m * m));
    return sd > 1e-9 ? sd : 1;
  });
  return { transform, mean, scale };
}

/** A feature vector in the standardised space. */
export const standardise = (s: Scaling, v: number[]): number[] =>
  v.map((x, j) => (apply(s.transform, x) - s.mean[j]) / s.scale[j]);

/** A standardised point back in the features' own units (a centroid's "typical customer"). */
export const unstandardise = (s: Scaling, z: number[]): number[] =>
  z.map((x, j) => {
    const t = x * s.scale[j] + s.mean[j];
    return s.transform === 'log1p' ? Math.expm1(t) : t;
  });
