/**
 * The products index on OpenSearch (or the local engine, which speaks the same subset of its REST API): searches
 * and suggestions on the alias and the cluster's health (OpenSearchProductSearch, through the client's transport
 * alone), and `_bulk` writes with external versions and the alias and index management of the migration and the
 * reindex (OpenSearchProductIndex, through the whole client). Every request is one of
 * /work/notes/search-contract.md's list.
 */
import type { Client } from '@opensearch-project/opensearch';
import * as z from 'zod/mini';
import type { IndexAction } from '../domain/documents';
import { EngineSearchResponse, type SearchRequestBody } from '../domain/query';
import { EngineSuggestResponse, type SuggestRequestBody } from '../domain/suggest';
import { PRODUCTS_ALIAS, type ProductIndexDefinition } from '../index-definition';
import { SearchUnavailableError, type ActionOutcome, type ProductIndexAdmin, type ProductSearch } from '../ports';
import type { OpenSearchTransport } from './opensearch-transport';

interface EngineError {
  statusCode?: number;
  body?: { error?: { type?: string; reason?: string } | string };
  message?: string;
}

/** The engine's error type (`resource_already_exists_exception`…), when it answered with one. */
export const errorTypeOf = (error: unknown): string | undefined => {
  const body = (error as EngineError)?.body?.error;
  return typeof body === 'object' ? body?.type : undefined;
};
const statusOf = (error: unknown) => (error as EngineError)?.statusCode;

function describe(error: unknown): string {
  const e = error as EngineError;
  const body = e?.body?.error;
  const reason =
    typeof body === 'object'
      ? `${body?.type ?? 'error'}: ${body?.reason ?? ''}`
      : (body ?? e?.message ?? String(error));
  return e?.statusCode ? `${e.statusCode} ${reason}` : reason;
}

const BulkItem = z.object({
  status: z.number(),
  result: z.optional(z.string()),
  error: z.optional(
    z.union([z.object({ type: z.optional(z.string()), reason: z.optional(z.nullable(z.string())) }), z.string()]),
  ),
});
const BulkResponse = z.object({
  items: z.array(z.record(z.string(), BulkItem)),
});

/** A bulk item's outcome: a version conflict means the index holds this version or a newer one already. */
export function outcomeOf(item: z.infer<typeof BulkItem>): ActionOutcome {
  if (item.error === undefined)
    return item.status < 300 || item.result === 'not_found'
      ? { status: 'applied' }
      : { status: 'failed', reason: `status ${item.status}` };
  const type = typeof item.error === 'string' ? undefined : item.error.type;
  if (item.status === 409 && type === 'version_conflict_engine_exception') return { status: 'stale' };
  const reason = typeof item.error === 'string' ? item.error : `${type ?? 'error'}: ${item.error.reason ?? ''}`;
  return { status: 'failed', reason: `${item.status} ${reason}` };
}

/** The NDJSON lines of a bulk request: each action with its external version, then the document to index. */
export function bulkLines(actions: readonly IndexAction[], index: string): object[] {
  return actions.flatMap((action): object[] => {
    const meta = { _index: index, _id: action.id, version: action.version, version_type: 'external' };
    return action.kind === 'index' ? [{ index: meta }, action.document] : [{ delete: meta }];
  });
}

const SEARCH_PATH = `/${encodeURIComponent(PRODUCTS_ALIAS)}/_search`;

/**
 * What a query route asks of the index: each request is the one the client's search and cluster-health methods send
 * (the library's api/_core/search.js and api/cluster/health.js: the path, an empty query string, the body or ''),
 * sent through its transport, so that a route need not load the client's every API namespace.
 */
export class OpenSearchProductSearch implements ProductSearch {
  constructor(protected readonly transport: OpenSearchTransport) {}

  protected async call<T>(
    what: string,
    request: () => Promise<{ body: unknown }>,
    shape: z.ZodMiniType<T>,
  ): Promise<T> {
    let body: unknown;
    try {
      ({ body } = await request());
    } catch (error) {
      throw new SearchUnavailableError(`${what}: ${describe(error)}`, { cause: error });
    }
    const parsed = shape.safeParse(body);
    if (!parsed.success)
      throw new SearchUnavailableError(
        `${what}: unexpected answer (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
      );
    return parsed.data;
  }

  private searchAlias(body: object) {
    return this.transport.request({ method: 'POST', path: SEARCH_PATH, querystring: {}, body });
  }

  search(body: SearchRequestBody) {
    return this.call('search', () => this.searchAlias(body), EngineSearchResponse);
  }

  suggest(body: SuggestRequestBody) {
    return this.call('suggest', () => this.searchAlias(body), EngineSuggestResponse);
  }

  /** GET /_cluster/health: green or yellow answers searches; red does not. */
  async clusterStatus(): Promise<string> {
    const { status } = await this.call(
      'cluster health',
      () => this.transport.request({ method: 'GET', path: '/_cluster/health', querystring: {}, body: '' }),
      z.object({ status: z.string() }),
    );
    return status;
  }
}

/** The index's writes and its management: the indexer, the reindex, the local platform. */
export class OpenSearchProductIndex extends OpenSearchProductSearch implements ProductIndexAdmin {
  constructor(private readonly client: Client) {
    super(client.transport);
  }

  async bulk(actions: readonly IndexAction[], index: string = PRODUCTS_ALIAS): Promise<ActionOutcome[]> {
    if (actions.length === 0) return [];
    // POST /_bulk, each action naming its index (the client sends /<index>/_bulk as a PUT).
    const { items } = await this.call(
      'bulk',
      () => this.client.bulk({ body: bulkLines(actions, index) }),
      BulkResponse,
    );
    if (items.length !== actions.length)
      throw new SearchUnavailableError(`bulk: ${items.length} results for ${actions.length} actions`);
    return items.map((item, i) => {
      const result = item[actions[i].kind];
      return result
        ? outcomeOf(result)
        : { status: 'failed', reason: `no ${actions[i].kind} result for ${actions[i].id}` };
    });
  }

  async aliasTargets(): Promise<string[]> {
    try {
      const { body } = await this.client.indices.getAlias({ name: PRODUCTS_ALIAS });
      return Object.keys(body).sort();
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw new SearchUnavailableError(`alias ${PRODUCTS_ALIAS}: ${describe(error)}`, { cause: error });
    }
  }

  async createIndex(name: string, definition: ProductIndexDefinition): Promise<boolean> {
    try {
      await this.client.indices.create({ index: name, body: definition });
      return true;
    } catch (error) {
      if (errorTypeOf(error) === 'resource_already_exists_exception') return false;
      throw new SearchUnavailableError(`create ${name}: ${describe(error)}`, { cause: error });
    }
  }

  async pointAlias(to: string, from: readonly string[]): Promise<void> {
    const actions = [
      ...from.map((index) => ({ remove: { index, alias: PRODUCTS_ALIAS } })),
      { add: { index: to, alias: PRODUCTS_ALIAS } },
    ];
    await this.call('update aliases', () => this.client.indices.updateAliases({ body: { actions } }), z.unknown());
  }

  async refresh(index: string): Promise<void> {
    await this.call(
      `refresh ${index}`,
      () => this.transport.request({ method: 'POST', path: `/${encodeURIComponent(index)}/_refresh` }),
      z.unknown(),
    );
  }

  async deleteIndex(name: string): Promise<void> {
    try {
      await this.client.indices.delete({ index: name });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw new SearchUnavailableError(`delete ${name}: ${describe(error)}`, { cause: error });
    }
  }
}
