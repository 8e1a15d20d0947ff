/**
 * A consistent snapshot without stopping the platform: DynamoDB has no point-in-time read across tables (a Scan
 * is not one either), so everything is read twice in a row and kept only when both reads are identical (same
 * digest over every item and object). Each table and bucket then held the same content from the start of its
 * first read to the end of its second, and those intervals all contain the moment between the two passes: the
 * snapshot is the platform's state at that moment. A platform busy writing is read again, a few times, then
 * refused (quiesce it: stop sending traffic). One blind spot: a write undone between the two reads of the
 * same item (A→B→A) is not seen, and then the snapshot may miss that B ever existed — never a torn state.
 */
import { dataDigest, type PlatformData } from './snapshot';

export class PlatformBusyError extends Error {
  constructor(attempts: number) {
    super(
      `The platform kept changing while it was read (${attempts} attempts): no consistent snapshot was taken. ` +
        'Stop sending it requests (and wait for its background jobs) and try again.',
    );
    this.name = 'PlatformBusyError';
  }
}

export async function readConsistently(
  read: () => Promise<PlatformData>,
  options: { attempts: number; onRetry?: (attempt: number) => void },
): Promise<{ data: PlatformData; attempts: number }> {
  let previous = await read();
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const next = await read();
    if (dataDigest(next) === dataDigest(previous)) return { data: next, attempts: attempt };
    options.onRetry?.(attempt);
    previous = next;
  }
  throw new PlatformBusyError(options.attempts);
}
