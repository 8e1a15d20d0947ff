/** Small, exact statistics over samples (no histogram bucketing: both sides of a comparison use these). */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest-rank: the smallest sample with at least p% of samples at or below it.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (samples: readonly number[]): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const min = (samples: readonly number[]): number => (samples.length ? Math.min(...samples) : Number.NaN);
export const max = (samples: readonly number[]): number => (samples.length ? Math.max(...samples) : Number.NaN);

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const kib = (bytes: number): number => round(bytes / 1024, 1);
