import type { Clock } from '../shared/clock';
import type { Log } from '../shared/log';
import type { IndexAction } from './domain/documents';
import type { EngineSearchResponse, SearchRequestBody } from './domain/query';
import type { EngineSuggestResponse, SuggestRequestBody } from './domain/suggest';
import type { ProductIndexDefinition } from './index-definition';

/** The search engine could not be asked, or answered with an error or a shape it should not have. */
export class SearchUnavailableError extends Error {
  override name = 'SearchUnavailableError';
}

/** Reads of the products alias. */
export interface ProductSearch {
  search(body: SearchRequestBody): Promise<EngineSearchResponse>;
  suggest(body: SuggestRequestBody): Promise<EngineSuggestResponse>;
}

/**
 * How one bulk action ended: applied; stale (the index already holds this version or a newer one — for the
 * indexer a success, since the newer state is what must stay); or failed, with the engine's reason.
 */
export type ActionOutcome = { status: 'applied' } | { status: 'stale' } | { status: 'failed'; reason: string };

/** Writes to the products alias (or to a named concrete index, during a reindex). */
export interface ProductIndexWriter {
  /** One `_bulk` request; outcomes in the actions' order. Rejects only when the request as a whole failed. */
  bulk(actions: readonly IndexAction[], index?: string): Promise<ActionOutcome[]>;
}

/** Managing the concrete indexes behind the alias (the migration and the reindex). */
export interface ProductIndexAdmin extends ProductIndexWriter {
  /** The concrete indexes the alias points to (none when it does not exist). */
  aliasTargets(): Promise<string[]>;
  /** Creates the index with this definition; false when it already existed. */
  createIndex(name: string, definition: ProductIndexDefinition): Promise<boolean>;
  /** In one atomic request: the alias leaves `from` and points to `to`. */
  pointAlias(to: string, from: readonly string[]): Promise<void>;
  refresh(index: string): Promise<void>;
  deleteIndex(name: string): Promise<void>;
}

/** The catalog's products as stored, a page at a time, every status included (the reindex's source). */
export interface CatalogProducts {
  pages(pageSize: number): AsyncIterable<unknown[]>;
  /** About how many products there are (for progress; DynamoDB's item count is refreshed every few hours). */
  approximateCount(): Promise<number>;
}

/** What a search tells analytics: the query and how many products it found (a `search` clickstream event). */
export interface SearchSignal {
  query: string;
  results: number;
  sessionId?: string;
}

export interface SearchEvents {
  searched(signal: SearchSignal): Promise<void>;
}

export interface SearchDeps {
  products: ProductSearch;
  events: SearchEvents;
  log: Pick<Log, 'warn'>;
}

export interface ReindexDeps {
  index: ProductIndexAdmin;
  catalog: CatalogProducts;
  clock: Clock;
  /** Waits before the old index is deleted, so that searches already resolved to it finish. */
  sleep(ms: number): Promise<void>;
}
