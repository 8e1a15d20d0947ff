import type { Clock } from '../shared/clients';
import type { Warehouse } from './warehouse/port';
import type { ClickEventInput } from './schemas';

/** One clickstream event as written to the stream. */
export type ClickEvent = Omit<ClickEventInput, 'at'> & {
  /** Consumers deduplicate on it: a resent batch must never count twice. */
  eventId: string;
  /** ISO 8601 (UTC): the client's time when it sent one, else receivedAt. */
  at: string;
  receivedAt: string;
  /**
   * `search` events the search route writes itself (functions/search): how many products the query found, so
   * analytics can list the queries that found nothing. Absent from events clients send.
   */
  results?: number;
};

export interface ClickstreamWriter {
  /**
   * Writes the events, retrying what the stream refused; resolves with those that still failed
   * (none: all written). Rejects when the stream could not be reached at all.
   */
  put(events: readonly ClickEvent[]): Promise<{ failed: ClickEvent[] }>;
}

export interface AnalyticsDeps {
  clickstream: ClickstreamWriter;
  clock: Clock;
}

/** What the analytics API reads: SQL over the warehouse (Redshift in AWS, PGlite locally). */
export type WarehouseReader = Pick<Warehouse, 'query'>;

/** A cached answer, with the warehouse version it was computed at. */
export interface CachedResult {
  value: unknown;
  /** The warehouse version (adapters/warehouse-version.ts) read before the answer was computed. */
  version: number;
  /** Epoch milliseconds after which the answer is not served. */
  expiresAt: number;
}

export interface ResultCache {
  /**
   * The warehouse's current version and the entry stored under `key` (if any), read together: an entry is
   * only worth serving if it was computed at the version the warehouse has now.
   */
  lookup(key: string): Promise<{ version: number; entry?: CachedResult }>;
  store(key: string, entry: CachedResult): Promise<void>;
}

export interface AnalyticsQueryDeps {
  warehouse: WarehouseReader;
  cache: ResultCache;
  clock: Clock;
  log: { warn(message: string, details?: Record<string, unknown>): void };
}
