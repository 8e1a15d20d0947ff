/**
 * Moves terminal orders past their retention to the archive bucket, and only then out of the orders table.
 * Each batch goes: pending marker (its manifest) → archive object → read back and checked against the
 * manifest → permanent manifest → each order replaced by its stub (conditional on being unchanged) → pending
 * marker removed. A run killed anywhere leaves either nothing stubbed (the next run archives the orders again,
 * under the same key) or a pending marker, which the next run finishes first: no order is lost (an order
 * leaves the table only once a verified copy is in the bucket) or archived twice (its stub is written once,
 * conditionally, and the candidates are orders without one).
 */
import {
  CorruptArchiveError,
  decodeBatch,
  encodeBatch,
  sha256Hex,
  type ArchiveManifest,
  type StoredOrder,
} from './format';
import type { ArchiveDeps, ArchiveReport } from './ports';

export const DEFAULT_RETENTION_DAYS = 365;
export const DEFAULT_BATCH_SIZE = 100;
const DAY_MS = 86_400_000;

/** The cutoff: orders created before it may be archived. */
export const archiveCutoff = (deps: Pick<ArchiveDeps, 'clock' | 'retentionDays'>) =>
  new Date(deps.clock.now().getTime() - deps.retentionDays * DAY_MS).toISOString();

export async function archiveOrders(deps: ArchiveDeps, options: { before?: string } = {}): Promise<ArchiveReport> {
  const before = options.before ?? archiveCutoff(deps);
  const report: ArchiveReport = { before, resumed: 0, batches: 0, archived: 0, changed: 0 };
  for (const manifest of await deps.store.listPending()) {
    await resumeBatch(manifest, deps, report);
    report.resumed += 1;
  }
  const size = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  let batch: StoredOrder[] = [];
  for await (const order of deps.orders.candidates(before)) {
    batch.push(order);
    if (batch.length >= size) {
      await archiveBatch(batch, deps, report);
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
    // No sound object means no order of the batch was stubbed: they are all still candidates.
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
  for (const order of verified) {
    const outcome = await deps.orders.replaceWithStub(order, manifest.key);
    if (outcome === 'stubbed') report.archived += 1;
    if (outcome === 'changed') report.changed += 1;
  }
  await deps.store.deletePending(manifest.batchId);
}
