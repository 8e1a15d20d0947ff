/**
 * Runs `assertion` until it passes, every `interval` ms, for up to `timeout` ms; then fails with its last error.
 * For state that settles in the background: `await eventually(async () => expect(await status()).toBe(200))`.
 * By default for 1 s, every 50 ms (what the suite's polls were written for).
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  { timeout = 1000, interval = 50 }: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
