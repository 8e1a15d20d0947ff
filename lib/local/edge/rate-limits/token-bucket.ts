/** A token bucket: `burst` tokens at most, refilled at `ratePerSecond`; each request takes one. */
export interface TokenBucket {
  /** Takes a token at `nowMs`: undefined when one was there, else the seconds until one will be. */
  take(nowMs: number): number | undefined;
  /** Whether the bucket has refilled to its size by `nowMs` (a full bucket need not be kept). */
  isFull(nowMs: number): boolean;
}

export function tokenBucket(ratePerSecond: number, burst: number, createdMs: number): TokenBucket {
  if (!(ratePerSecond > 0) || !(burst >= 1))
    throw new Error('A token bucket needs a positive rate and a burst of 1 at least');
  let tokens = burst;
  let lastMs = createdMs;
  const refill = (nowMs: number) => {
    // A clock that steps back refills nothing.
    tokens = Math.min(burst, tokens + (Math.max(0, nowMs - lastMs) / 1000) * ratePerSecond);
    lastMs = Math.max(lastMs, nowMs);
  };
  return {
    take(nowMs) {
      refill(nowMs);
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      return (1 - tokens) / ratePerSecond;
    },
    isFull(nowMs) {
      refill(nowMs);
      return tokens >= burst;
    },
  };
}
