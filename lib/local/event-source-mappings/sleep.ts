/** A sleep that ends early when the mapping stops, so stop() never waits out a back-off. */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Exponential back-off: `first` doubled per attempt, capped at `max`. */
export const backoff = (first: number, attempt: number, max: number) => Math.min(first * 2 ** attempt, max);
