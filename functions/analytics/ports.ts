/**
 * The warehouse port: the analytics context's only way to reach its SQL store, Redshift Serverless through the
 * Redshift Data API (adapters/redshift-data-warehouse.ts) — in AWS, and locally on the platform's emulator of the
 * Data API over PGlite (lib/local/redshift-data). Tests also run the port on an in-process PGlite.
 *
 * Parameters are positional, `$1`, `$2`…, in the SQL and in `params`; the Redshift adapter rewrites them
 * to the Data API's named `:pN` form. Write SQL that both engines accept (see migrations.ts for the rules).
 */
export type SqlValue = string | number | boolean | null;

/** Where the two engines' SQL differs (access control: Redshift grants `TO ROLE x`, Postgres `TO x`). */
export type SqlDialect = 'redshift' | 'postgres';

/**
 * The database role of the warehouse's readers (the analytics API): USAGE on the schema and SELECT on its tables
 * and views, nothing else (migration 5). On Redshift the readers sign in with their IAM roles, which carry the tag
 * RedshiftDbRoles=analytics_reader (lib/contexts/platform-function.ts); the local Data API runs every caller
 * without the admin secret as it.
 */
export const WAREHOUSE_READER_ROLE = 'analytics_reader';

/** A row as both adapters return it: BIGINT/INTEGER → number, DATE → 'YYYY-MM-DD', TIMESTAMP → 'YYYY-MM-DD HH:MM:SS[.fff]'. */
export type Row = Record<string, SqlValue>;

export interface Statement {
  sql: string;
  params?: readonly SqlValue[];
}

export interface ExecuteResult {
  /** Rows inserted, updated or deleted, when the engine reports it. */
  rowsAffected: number;
}

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

/** How large the loads make their statements and transactions on an engine (see load.ts). */
export interface LoadLimits {
  /** The most rows one INSERT carries. */
  rowsPerStatement: number;
  /**
   * The longest SQL text a statement may have as the engine receives it (bytes); without it, no limit. The loads
   * then put in each statement as many rows as fit, up to rowsPerStatement, counting each `$n` as the adapter
   * sends it (PARAMETER_NAME_GROWTH_BYTES).
   */
  maxSqlBytes?: number;
  statementsPerBatch: number;
}

/**
 * How much longer a placeholder may get on its way to the engine: the Data API adapter writes `$n` as a named
 * parameter one or two letters longer (`:an`, `:bcn`… in a batch) or as a literal `NULL` (2 bytes more than `$1`).
 */
export const PARAMETER_NAME_GROWTH_BYTES = 2;

/** The load sizes on Redshift. */
export const LOAD_LIMITS = {
  /**
   * The Data API takes at most 100 KB of SQL a statement ("The maximum query statement size is 100 KB",
   * Considerations when calling the Amazon Redshift Data API), counted here as 100,000 bytes; a
   * BatchExecuteStatement takes up to 40 statements. About 370 rows of sales_facts (420 of user_behavior) fit a statement.
   */
  redshift: { rowsPerStatement: 1000, maxSqlBytes: 100_000, statementsPerBatch: 20 },
} as const satisfies Record<string, LoadLimits>;

export interface Warehouse {
  /** The engine's load sizes (LOAD_LIMITS); without them the loads use Redshift's. */
  readonly loadLimits?: LoadLimits;
  /** Applies pending migrations in version order, each in its own transaction; a no-op when up to date. */
  migrate(): Promise<MigrationReport>;
  execute(sql: string, params?: readonly SqlValue[]): Promise<ExecuteResult>;
  query<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs the statements in order as one transaction: all of them take effect or none does. */
  batch(statements: readonly Statement[]): Promise<ExecuteResult[]>;
  close(): Promise<void>;
}

export class WarehouseError extends Error {
  constructor(
    message: string,
    readonly details: { statementId?: string; sql?: string; status?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'WarehouseError';
  }
}

import type { Clock } from '../shared/clock';
import type { Log } from '../shared/log';
import type { ClickEventInput } from './schemas';
import type { BusinessMetrics } from '../shared/metrics';
import type {
  ForecastAnswer,
  PricingAnswer,
  SegmentCustomersAnswer,
  SegmentsAnswer,
} from '../../ml/src/insights/contract';

/** One clickstream event as written to the stream. */
export type ClickEvent = Omit<ClickEventInput, 'at'> & {
  /** Consumers deduplicate on it: a resent batch must never count twice. */
  eventId: string;
  /** ISO 8601 (UTC): the client's time when it sent one, else receivedAt. */
  at: string;
  /** A replayed fixture's event, which no loader loads (functions/shared/test-data.ts); absent on real events. */
  testData?: true;
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
  log: Pick<Log, 'warn' | 'error'>;
}

/** What the analytics API reads: SQL over the warehouse. */
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

/** A counter of the warehouse's loads (adapters/warehouse-version.ts): cached answers are served while it is unchanged. */
export interface WarehouseVersion {
  /** The current version; 0 before the first load. */
  read(): Promise<number>;
  /** Records that the warehouse changed. */
  bump(): Promise<void>;
}

export interface LoaderDeps {
  warehouse: Warehouse;
  /** Bumped after a batch loads rows, so cached analytics answers go stale; none in tests that do not look. */
  version?: WarehouseVersion;
  /** Where the rows new to the warehouse are counted; the functions' business metrics when absent. */
  metrics?: BusinessMetrics;
}

// ---------------------------------------------------------------------------------------------------------
// The demand-insights model (ml/src/insights/contract.ts): forecasts, segments and price suggestions

/** Why the model did not answer, for logs: as the recommendation model's adapter names them. */
export type InsightsFailure = 'timeout' | 'breaker-open' | 'garbage' | 'error';

/** The model could not answer (still training, endpoint down or slow, a broken answer): the routes' 503. */
export class InsightsUnavailableError extends Error {
  override name = 'InsightsUnavailableError';
  constructor(
    readonly reason: InsightsFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The model answered that the request itself is wrong (a container 4xx): never the endpoint's fault. */
export class InsightsRefusedError extends Error {
  override name = 'InsightsRefusedError';
}

/**
 * The demand-insights model behind its endpoint, one method per invocation task. Answers, or throws
 * InsightsUnavailableError (InsightsRefusedError when the model calls the request itself invalid).
 */
export interface DemandInsightsModel {
  /** At most MAX_FORECAST_PRODUCTS a call. */
  /** `history: false` leaves each product's history weeks out (a reorder batch needs only the forecast). */
  forecast(productIds: readonly string[], weeks: number, options?: { history?: boolean }): Promise<ForecastAnswer>;
  segments(): Promise<SegmentsAnswer>;
  segmentCustomers(request: { segment: string; limit: number; cursor?: string }): Promise<SegmentCustomersAnswer>;
  /** `currentPrice` in GBP, as the model's prices are (the dataset's UnitPrice). */
  pricing(productId: string, currentPrice: number): Promise<PricingAnswer>;
}

/** The products one forecast invocation takes (the contract's limit). */
export const MAX_FORECAST_PRODUCTS = 500;

/** A product as the model routes show it: from the catalog, which is the truth for names and prices. */
export interface CatalogProduct {
  id: string;
  name: string;
  /** Minor units of `currency`. */
  price: number;
  currency: string;
}

export interface CatalogLookup {
  get(productId: string): Promise<CatalogProduct | undefined>;
  getMany(productIds: readonly string[]): Promise<Map<string, CatalogProduct>>;
}

/** Every product's stock record: what is available to sell now (the inventory table). */
export interface StockLevels {
  available(): Promise<Map<string, number>>;
}

export interface ModelQueryDeps {
  model: DemandInsightsModel;
  catalog: CatalogLookup;
  log: { warn(message: string, details?: Record<string, unknown>): void };
}

/** Insights with reorder suggestions: the warehouse's findings and, beside them, the model's and the stock's. */
export interface InsightsWithReorderDeps extends AnalyticsQueryDeps {
  model: DemandInsightsModel;
  catalog: CatalogLookup;
  stock: StockLevels;
}
