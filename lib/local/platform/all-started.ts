/**
 * Steps run side by side, each recording in the platform's parts what it starts: all of them settle before a failure
 * is thrown, so that whatever the others started is in the parts when the start is abandoned.
 */
export async function allStarted<T extends unknown[]>(...steps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(steps);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}
