import type { Clock } from '../../shared/clock';
import type { ArchiveManifest, StoredOrder } from './format';

/** What became of an order the job archived (functions/orders/archive/archive-orders.ts). */
export type MoveOutcome =
  /** Indexed, then deleted from the orders table in this run. */
  | 'moved'
  /** Indexed under this archive and gone from the table already (a rerun of a batch a killed run began). */
  | 'gone'
  /** Changed since it was archived: it stays whole in the table, its index item removed; archived again later. */
  | 'changed'
  /** Indexed under another archive object already: left as it is (the table copy wins reads), reported. */
  | 'conflict';

/** The orders table and the archive index as the archive job sees them. */
export interface ArchivableOrders {
  /** Terminal orders (CONFIRMED, CANCELLED) created before `before`, still in the orders table, as stored. */
  candidates(before: string): AsyncIterable<StoredOrder>;
  /**
   * Writes the order's archive index item (idempotent: the same item for the same key), then deletes the order
   * from the orders table if it is still exactly as archived (same updatedAt and status).
   */
  moveToArchive(order: StoredOrder, archiveKey: string): Promise<MoveOutcome>;
}

/** The archive bucket. */
export interface ArchiveStore {
  /** Writes the archive object (Glacier Instant Retrieval in AWS). */
  putArchive(key: string, body: Uint8Array, sha256: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  getArchive(key: string): Promise<Uint8Array | undefined>;
  putManifest(manifest: ArchiveManifest): Promise<void>;
  /** A batch under way: written before its object, removed once every order of it has left the table. */
  putPending(manifest: ArchiveManifest): Promise<void>;
  listPending(): Promise<ArchiveManifest[]>;
  deletePending(batchId: string): Promise<void>;
}

/** Who holds the archive lease, and until when. */
export interface LeaseHolder {
  owner: string;
  expiresAt: string;
}

/** One archive run at a time: a conditional item with an expiry, so a killed run's lease lapses by itself. */
export interface ArchiveLease {
  /** Takes the lease until `expiresAt` if it is free, expired (before `now`) or ours; else who holds it. */
  acquire(
    owner: string,
    now: string,
    expiresAt: string,
  ): Promise<{ acquired: true } | { acquired: false; holder: LeaseHolder }>;
  /** Extends our lease; false if it is no longer ours (it expired and another run took it). */
  renew(owner: string, expiresAt: string): Promise<boolean>;
  /** Gives the lease up if it is still ours. */
  release(owner: string): Promise<void>;
}

export interface ArchiveDeps {
  orders: ArchivableOrders;
  store: ArchiveStore;
  lease: ArchiveLease;
  clock: Clock;
  /** Orders created more than this many days ago may be archived (365 by default). */
  retentionDays: number;
  batchSize?: number;
  /** How long the lease lasts past its last renewal (each batch renews it): 300 s by default. */
  leaseSeconds?: number;
  /** This run's name on the lease (a random id by default). */
  runId?: string;
  log?: (message: string, details: Record<string, unknown>) => void;
}

export interface ArchiveReport {
  before: string;
  /** Batches finished that an earlier, interrupted run had started. */
  resumed: number;
  batches: number;
  /** Orders moved out of the orders table (indexed, then deleted) in this run. */
  archived: number;
  /** Orders that changed between their archiving and their deletion: left whole in the table, archived again later. */
  changed: number;
  /** Orders indexed under another archive object already: left in the table, for an operator to look at. */
  conflicts: number;
}
