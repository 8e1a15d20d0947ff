import type { Clock } from '../../shared/clients';
import type { ArchiveManifest, StoredOrder } from './format';

/** The orders table as the archive job sees it. */
export interface ArchivableOrders {
  /** Terminal orders (CONFIRMED, CANCELLED) created before `before` and not archived yet, as stored. */
  candidates(before: string): AsyncIterable<StoredOrder>;
  /** The order as stored now (a stub included), if any. */
  stored(orderId: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Replaces the order with its stub if it is still exactly as archived (same updatedAt, not a stub): 'stubbed';
   * 'archived' if it is a stub already; 'changed' if it changed since (it stays, whole, in the table).
   */
  replaceWithStub(order: StoredOrder, archiveKey: string): Promise<'stubbed' | 'archived' | 'changed'>;
}

/** The archive bucket. */
export interface ArchiveStore {
  /** Writes the archive object (Glacier Instant Retrieval in AWS). */
  putArchive(key: string, body: Uint8Array, sha256: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  getArchive(key: string): Promise<Uint8Array | undefined>;
  putManifest(manifest: ArchiveManifest): Promise<void>;
  /** A batch under way: written before its object, removed once every order of it is a stub. */
  putPending(manifest: ArchiveManifest): Promise<void>;
  listPending(): Promise<ArchiveManifest[]>;
  deletePending(batchId: string): Promise<void>;
}

export interface ArchiveDeps {
  orders: ArchivableOrders;
  store: ArchiveStore;
  clock: Clock;
  /** Orders created more than this many days ago may be archived (365 by default). */
  retentionDays: number;
  batchSize?: number;
  log?: (message: string, details: Record<string, unknown>) => void;
}

export interface ArchiveReport {
  before: string;
  /** Batches finished that an earlier, interrupted run had started. */
  resumed: number;
  batches: number;
  /** Orders replaced by their stub in this run. */
  archived: number;
  /** Orders that changed between their archiving and their stub: left whole in the table, archived again later. */
  changed: number;
}
