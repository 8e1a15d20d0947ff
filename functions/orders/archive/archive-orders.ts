/**
 * Moves terminal orders past their retention to the archive bucket, and only then out of the orders table.
 *
 * One run at a time: the run first takes the archive lease (a conditional item with an expiry, renewed after
 * every batch); a second run finds it held and stops with LeaseHeldError, naming the holder and until when. A
 * killed run's lease lapses by itself.
 *
 * Each batch goes: pending marker (its manifest) → archive object → read back and checked against the manifest
 * → permanent manifest → per order: its archive index item (orderArchiveIndex, written conditionally and the
 * same on a rerun), then its deletion from the orders table (conditional on the order being unchanged: same
 * updatedAt and status) → pending marker removed. An order that changed in between stays whole in the table and
 * its index item is removed again; a later run archives it anew.
 *
 * A run killed anywhere loses and duplicates nothing:
 * - before its object is verified, no order has an index item or has left the table; the next run drops the
 *   pending batch (or finishes it, if the object is whole) and archives the orders again under the same key;
 * - after that, the next run finishes the pending batch first: index items are rewritten as they were, orders
 *   still in the table are deleted, orders gone already are left gone.
 * Between an order's index item and its deletion it is in both places for a moment; the read side prefers the
 * table and lists each order id once (functions/orders/adapters/dynamo-orders.ts), so readers see it once.
 */
import { randomUUID } from 'node:crypto';
import {
  CorruptArchiveError,
  decodeBatch,
  encodeBatch,
  sha256Hex,
  type ArchiveManifest,
  type StoredOrder,
} from './format';
import type { ArchiveDeps, ArchiveReport, LeaseHolder } from './ports';

export const DEFAULT_RETENTION_DAYS = 365;
export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_LEASE_SECONDS = 300;
const DAY_MS = 86_400_000;
/** Orders of a batch moved at once: each is two small conditional writes, independent of the others. */
export const MOVES_IN_FLIGHT = 8;

/** Another archive run holds the lease: this one archived nothing. */
export class LeaseHeldError extends Error {
  constructor(readonly holder: LeaseHolder) {
    super(`another archive run holds the lease until ${holder.expiresAt} (run ${holder.owner})`);
    this.name = 'LeaseHeldError';
  }
}

/** The run lost its lease (it lapsed and another run took it): it stops before its next batch. */
export class LeaseLostError extends Error {
  constructor(owner: string) {
    super(`archive run ${owner} lost its lease; it stopped, and the run holding it now carries on`);
    this.name = 'LeaseLostError';
  }
}

/** The cutoff: orders created before it may be archived. */
export const archiveCutoff = (deps: Pick<ArchiveDeps, 'clock' | 'retentionDays'>) =>
  new Date(deps.clock.now().getTime() - deps.retentionDays * DAY_MS).toISOString();

const leaseExpiry = (deps: ArchiveDeps) =>
  new Date(deps.clock.now().getTime() + (deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000).toISOString();

export async function archiveOrders(deps: ArchiveDeps, options: { before?: string } = {}): Promise<ArchiveReport> {
  const before = options.before ?? archiveCutoff(deps);
  const owner = deps.runId ?? randomUUID();
  const taken = await deps.lease.acquire(owner, deps.clock.now().toISOString(), leaseExpiry(deps));
  if (!taken.acquired) throw new LeaseHeldError(taken.holder);
  try {
    return await archiveUnderLease(deps, before, async () => {
      if (!(await deps.lease.renew(owner, leaseExpiry(deps)))) throw new LeaseLostError(owner);
    });
  } finally {
    await deps.lease.release(owner);
  }
}

async function archiveUnderLease(deps: ArchiveDeps, before: string, renew: () => Promise<void>) {
  const report: ArchiveReport = { before, resumed: 0, batches: 0, archived: 0, changed: 0, conflicts: 0 };
  for (const manifest of await deps.store.listPending()) {
    await resumeBatch(manifest, deps, report);
    report.resumed += 1;
    await renew();
  }
  const size = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  let batch: StoredOrder[] = [];
  for await (const order of deps.orders.candidates(before)) {
    batch.push(order);
    if (batch.length >= size) {
      await archiveBatch(batch, deps, report);
      await renew();
      batch = [];
    }
  }
  if (batch.length) await archiveBatch(batch, deps, report);
  return report;
}

async function archiveBatch(orders: StoredOrder[], deps: ArchiveDeps, report: ArchiveReport) {
  const { manifest, body } = encodeBatch(orders);
  await deps.store.putPending(manifest);
  // Same ids, same key: an object left by a killed run is overwritten by the same bytes (or better ones).
  await deps.store.putArchive(manifest.key, body, manifest.sha256);
  const verified = await readVerified(manifest, deps);
  await commitBatch(manifest, verified, deps, report);
  report.batches += 1;
}

/** A batch an interrupted run left pending: finished if its object is there and sound, dropped otherwise. */
async function resumeBatch(manifest: ArchiveManifest, deps: ArchiveDeps, report: ArchiveReport) {
  let verified: StoredOrder[];
  try {
    verified = await readVerified(manifest, deps);
  } catch (e) {
    if (!(e instanceof CorruptArchiveError)) throw e;
    // No sound object means no order of the batch was indexed or deleted: they are all still candidates.
    deps.log?.('archive batch dropped: its object was never written whole', { batchId: manifest.batchId });
    await deps.store.deletePending(manifest.batchId);
    return;
  }
  await commitBatch(manifest, verified, deps, report);
}

/** The object as read back from the bucket, checked against the manifest (sha256, ids, count). */
async function readVerified(manifest: ArchiveManifest, deps: ArchiveDeps): Promise<StoredOrder[]> {
  const body = await deps.store.getArchive(manifest.key);
  if (!body) throw new CorruptArchiveError(`Archive ${manifest.key} is missing`);
  if (sha256Hex(body) !== manifest.sha256)
    throw new CorruptArchiveError(`Archive ${manifest.key} read back does not match its checksum`);
  return decodeBatch(body, manifest);
}

async function commitBatch(
  manifest: ArchiveManifest,
  verified: StoredOrder[],
  deps: ArchiveDeps,
  report: ArchiveReport,
) {
  await deps.store.putManifest(manifest);
  const conflictsBefore = report.conflicts;
  for (let i = 0; i < verified.length; i += MOVES_IN_FLIGHT) {
    const moves = verified.slice(i, i + MOVES_IN_FLIGHT).map((o) => deps.orders.moveToArchive(o, manifest.key));
    for (const outcome of await Promise.all(moves)) {
      if (outcome === 'moved') report.archived += 1;
      if (outcome === 'changed') report.changed += 1;
      if (outcome === 'conflict') report.conflicts += 1;
    }
  }
  if (report.conflicts > conflictsBefore)
    deps.log?.('archived orders indexed under another archive object were left in the table', {
      batchId: manifest.batchId,
      conflicts: report.conflicts - conflictsBefore,
    });
  await deps.store.deletePending(manifest.batchId);
}
