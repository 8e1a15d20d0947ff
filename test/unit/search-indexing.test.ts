/**
 * The search context's writes and its request flow, pure parts and orchestration over its ports: what the index
 * does about a product (documents.ts), a products-stream batch in one `_bulk` with per-record outcomes
 * (indexing.ts, the indexer handler), the bulk answer read back (adapters/opensearch-index.ts outcomeOf,
 * bulkLines), the reindex's order of steps (reindex.ts), and the search's relaxation and clickstream signal
 * (search.ts). The engine itself is exercised in test/integration/search.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionFromStreamRecord } from '../../functions/search/adapters/products-stream';
import { bulkLines, outcomeOf } from '../../functions/search/adapters/opensearch-index';
import {
  actionForProduct,
  actionForRemoval,
  MalformedProductError,
  parseStoredProduct,
  suggestInputs,
  type IndexAction,
} from '../../functions/search/domain/documents';
import { indexRecords } from '../../functions/search/domain/indexing';
import { reindex } from '../../functions/search/domain/reindex';
import { searchProducts, suggestProducts } from '../../functions/search/domain/search';
import type { EngineSearchResponse, SearchRequestBody } from '../../functions/search/domain/query';
import { MAPPING_VERSION, productIndexDefinition } from '../../functions/search/index-definition';
import {
  SearchUnavailableError,
  type ActionOutcome,
  type ProductIndexAdmin,
  type SearchDeps,
  type SearchSignal,
} from '../../functions/search/ports';
import { SearchQuery } from '../../functions/search/schemas';
import { DomainError } from '../../functions/shared/errors';
import { lambdaContext } from '@ecicomm/local-platform/lambda/context';
import { projectRoot } from '@ecicomm/local-platform/platform';

// The handler modules build their live dependencies when loaded (nothing is contacted): they need an environment.
let makeIndexer: (typeof import('../../functions/search/handlers/index-products'))['makeHandler'];
let makeSearchHandler: (typeof import('../../functions/search/handlers/search'))['makeHandler'];
beforeAll(async () => {
  Object.assign(process.env, {
    OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9',
    AWS_REGION: process.env.AWS_REGION ?? 'eu-west-2',
    CLICKSTREAM_STREAM: 'unit-clickstream',
  });
  ({ makeHandler: makeIndexer } = await import('../../functions/search/handlers/index-products'));
  ({ makeHandler: makeSearchHandler } = await import('../../functions/search/handlers/search'));
});

const product = (overrides: Record<string, unknown> = {}) => ({
  id: 'p1',
  sku: 'SKU-1',
  name: 'Red Retrospot Cake Stand',
  description: 'A stand for cakes.',
  category: 'kitchen-dining',
  brand: 'Retrospot',
  price: 1250,
  currency: 'GBP',
  imageUrls: [],
  attributes: {},
  popularity: 17,
  status: 'ACTIVE',
  version: 3,
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-02-02T03:04:05.000Z',
  ...overrides,
});

describe('what the index does about a product', () => {
  it('indexes an ACTIVE product at its version, with the fields the mapping has and its completion inputs', () => {
    const action = actionForProduct(parseStoredProduct(product(), 'p1'));
    expect(action).toEqual({
      kind: 'index',
      id: 'p1',
      version: 3,
      document: {
        id: 'p1',
        name: 'Red Retrospot Cake Stand',
        description: 'A stand for cakes.',
        category: 'kitchen-dining',
        brand: 'Retrospot',
        price: 1250,
        currency: 'GBP',
        popularity: 17,
        status: 'ACTIVE',
        createdAt: '2026-01-02T03:04:05.000Z',
        updatedAt: '2026-02-02T03:04:05.000Z',
        version: 3,
        suggest: { input: ['Red Retrospot Cake Stand', 'Retrospot Cake Stand', 'Cake Stand', 'Stand'] },
      },
    });
    // Exactly the mapping's fields: `dynamic: strict` would refuse any other.
    expect(Object.keys(action.kind === 'index' ? action.document : {}).sort()).toEqual(
      Object.keys(productIndexDefinition.mappings.properties).sort(),
    );
  });

  it('deletes any other status at its version, and a removed product one version past its last', () => {
    expect(actionForProduct(parseStoredProduct(product({ status: 'INACTIVE', version: 4 }), 'p1'))).toEqual({
      kind: 'delete',
      id: 'p1',
      version: 4,
    });
    expect(actionForRemoval({ id: 'p1', version: 4 })).toEqual({ kind: 'delete', id: 'p1', version: 5 });
  });

  it('refuses what is not a product, naming why', () => {
    expect(() => parseStoredProduct(product({ version: 0 }), 'p1')).toThrow(MalformedProductError);
    expect(() => parseStoredProduct(product({ price: 12.5 }), 'p1')).toThrow(/price/);
    expect(() => parseStoredProduct({ id: 'p1' }, 'record 7')).toThrow(/record 7 is not a product/);
  });

  it('completes from the start of the name and of each later word, at most 8 inputs, no repeats', () => {
    expect(suggestInputs('  Cake   Stand ')).toEqual(['Cake Stand', 'Stand']);
    expect(suggestInputs('a b c d e f g h i j')).toHaveLength(8);
    expect(suggestInputs('tea tea')).toEqual(['tea tea', 'tea']);
  });
});

const fixture = JSON.parse(
  readFileSync(path.join(projectRoot, 'events/dynamodb-stream/product-changes.json'), 'utf8'),
) as DynamoDBStreamEvent;

describe('a products stream record', () => {
  it('means: INSERT and MODIFY of an ACTIVE product index it, one made INACTIVE deletes it, each at its version', () => {
    expect(
      fixture.Records.map((r) => {
        const a = actionFromStreamRecord(r);
        return [r.eventName, a.kind, a.id, a.version];
      }),
    ).toEqual([
      ['INSERT', 'index', 'prd_fx_mug', 1],
      ['MODIFY', 'index', 'prd_fx_mug', 2],
      ['MODIFY', 'delete', 'prd_fx_mug', 3],
    ]);
  });

  it('means: REMOVE deletes one version past the old image; anything else is malformed', () => {
    const remove: DynamoDBRecord = {
      ...fixture.Records[1]!,
      eventName: 'REMOVE',
      dynamodb: { OldImage: fixture.Records[1]!.dynamodb!.NewImage },
    };
    expect(actionFromStreamRecord(remove)).toEqual({ kind: 'delete', id: 'prd_fx_mug', version: 3 });
    expect(() => actionFromStreamRecord({ ...remove, dynamodb: {} })).toThrow(/no OldImage/);
    expect(() =>
      actionFromStreamRecord({ ...fixture.Records[0]!, dynamodb: { NewImage: { id: { S: 'x' } } } }),
    ).toThrow(/not a product/);
    expect(() => actionFromStreamRecord({ ...fixture.Records[0]!, eventName: 'TRUNCATE' as never })).toThrow(
      /unknown eventName/,
    );
  });
});

describe("the engine's bulk answer", () => {
  it('is sent as action lines with the external version, then the document to index', () => {
    const doc = actionForProduct(parseStoredProduct(product(), 'p1'));
    expect(bulkLines([doc, { kind: 'delete', id: 'p2', version: 9 }], 'products')).toEqual([
      { index: { _index: 'products', _id: 'p1', version: 3, version_type: 'external' } },
      doc.kind === 'index' ? doc.document : undefined,
      { delete: { _index: 'products', _id: 'p2', version: 9, version_type: 'external' } },
    ]);
  });

  it('reads a version conflict as stale, a delete of nothing as applied, and other errors as failed', () => {
    expect(outcomeOf({ status: 201, result: 'created' })).toEqual({ status: 'applied' });
    expect(outcomeOf({ status: 404, result: 'not_found' })).toEqual({ status: 'applied' });
    expect(
      outcomeOf({
        status: 409,
        error: { type: 'version_conflict_engine_exception', reason: '[p1]: version conflict' },
      }),
    ).toEqual({ status: 'stale' });
    expect(
      outcomeOf({ status: 400, error: { type: 'strict_dynamic_mapping_exception', reason: 'mapping set to strict' } }),
    ).toEqual({
      status: 'failed',
      reason: '400 strict_dynamic_mapping_exception: mapping set to strict',
    });
    expect(
      outcomeOf({ status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }).status,
    ).toBe('failed');
  });
});

/** A writer whose outcomes the test decides, recording what it was asked to write. */
const writer = (answer: (actions: readonly IndexAction[]) => ActionOutcome[] | Promise<ActionOutcome[]>) => {
  const written: IndexAction[][] = [];
  return {
    written,
    bulk: async (actions: readonly IndexAction[]) => {
      written.push([...actions]);
      return answer(actions);
    },
  };
};

describe('a stream batch into the index', () => {
  const records = fixture.Records;

  it('is one bulk request, and counts a version conflict (a duplicate or a late older image) as done', async () => {
    const w = writer(() => [{ status: 'applied' }, { status: 'stale' }, { status: 'applied' }]);
    const { failures, summary } = await indexRecords(records, actionFromStreamRecord, w);
    expect(w.written.map((batch) => batch.map((a) => [a.kind, a.version]))).toEqual([
      [
        ['index', 1],
        ['index', 2],
        ['delete', 3],
      ],
    ]);
    expect(failures.size).toBe(0);
    expect(summary).toEqual({ actions: 3, indexed: 1, deleted: 1, stale: 1, failed: 0 });
  });

  it('fails only the records the engine refused, and a record that is not a product alone', async () => {
    const broken: DynamoDBRecord = { ...records[0]!, eventID: 'broken', dynamodb: { NewImage: { id: { S: 'p9' } } } };
    const w = writer(() => [
      { status: 'applied' },
      { status: 'failed', reason: '429 es_rejected_execution_exception: queue full' },
      { status: 'applied' },
    ]);
    const { failures, summary } = await indexRecords(
      [records[0]!, broken, records[1]!, records[2]!],
      actionFromStreamRecord,
      w,
    );
    expect([...failures.keys()]).toEqual([broken, records[1]]);
    expect(failures.get(records[1]!)?.message).toBe(
      'index prd_fx_mug v2: 429 es_rejected_execution_exception: queue full',
    );
    expect(summary.failed).toBe(2);
  });

  it('fails every record when the bulk request itself fails', async () => {
    const w = writer(() => Promise.reject(new SearchUnavailableError('bulk: connect ECONNREFUSED')));
    const { failures } = await indexRecords(records, actionFromStreamRecord, w);
    expect(failures.size).toBe(records.length);
  });
});

/** An index admin that keeps the alias and the documents in maps, as far as the indexer and the reindex use them. */
class RecordingIndex implements ProductIndexAdmin {
  steps: string[] = [];
  alias: string[] = [];
  indexes = new Map<string, Map<string, { version: number; deleted: boolean }>>();
  failBulkTo?: string;
  async aliasTargets() {
    this.steps.push('alias?');
    return [...this.alias];
  }
  async createIndex(name: string) {
    this.steps.push(`create ${name}`);
    if (this.indexes.has(name)) return false;
    this.indexes.set(name, new Map());
    return true;
  }
  async pointAlias(to: string, from: readonly string[]) {
    this.steps.push(`alias ${from.join('+') || '-'} → ${to}`);
    this.alias = [to];
  }
  async refresh(index: string) {
    this.steps.push(`refresh ${index}`);
  }
  async deleteIndex(name: string) {
    this.steps.push(`delete ${name}`);
    this.indexes.delete(name);
  }
  async bulk(actions: readonly IndexAction[], index = 'products'): Promise<ActionOutcome[]> {
    const target = index === 'products' ? this.alias[0]! : index;
    this.steps.push(`bulk ${target} ${actions.map((a) => `${a.kind}:${a.id}@${a.version}`).join(',')}`);
    if (target === this.failBulkTo) throw new SearchUnavailableError('bulk: 503');
    const docs = this.indexes.get(target)!;
    return actions.map((a) => {
      const held = docs.get(a.id);
      if (held && held.version >= a.version) return { status: 'stale' };
      docs.set(a.id, { version: a.version, deleted: a.kind === 'delete' });
      return { status: 'applied' };
    });
  }
}

const catalogOf = (pages: unknown[][]) => ({
  pages: async function* () {
    yield* pages;
  },
  approximateCount: async () => pages.flat().length,
});

describe('the reindex', () => {
  const at = new Date('2026-03-04T05:06:07.089Z');
  const deps = (index: RecordingIndex, pages: unknown[][]) => ({
    index,
    catalog: catalogOf(pages),
    clock: { now: () => at },
    sleep: async () => undefined,
  });

  it('builds a new index beside the live one, swaps the alias in one request, catches up, then deletes the old one', async () => {
    const index = new RecordingIndex();
    index.indexes.set(`products-v${MAPPING_VERSION}-00000000000000000`, new Map());
    index.alias = [`products-v${MAPPING_VERSION}-00000000000000000`];
    const pages = [
      [product({ id: 'a' }), product({ id: 'b', status: 'INACTIVE' })],
      [product({ id: 'c', version: 7 })],
    ];
    const summary = await reindex(deps(index, pages));
    const fresh = `products-v${MAPPING_VERSION}-20260304050607089`;
    expect(index.steps).toEqual([
      'alias?',
      `create ${fresh}`,
      `bulk ${fresh} index:a@3`,
      `bulk ${fresh} index:c@7`,
      `refresh ${fresh}`,
      `alias products-v${MAPPING_VERSION}-00000000000000000 → ${fresh}`,
      // The catch-up pass writes everything again: the same versions are stale, the inactive one is deleted.
      `bulk ${fresh} index:a@3,delete:b@3`,
      `bulk ${fresh} index:c@7`,
      `refresh ${fresh}`,
      `delete products-v${MAPPING_VERSION}-00000000000000000`,
    ]);
    expect(summary).toMatchObject({
      index: fresh,
      previous: [`products-v${MAPPING_VERSION}-00000000000000000`],
      load: { read: 3, indexed: 2 },
      catchUp: { read: 3, stale: 2, deleted: 1 },
    });
  });

  it('leaves the live index serving, and drops the half-built one, when loading fails before the swap', async () => {
    const index = new RecordingIndex();
    index.indexes.set(`products-v${MAPPING_VERSION}-00000000000000000`, new Map());
    index.alias = [`products-v${MAPPING_VERSION}-00000000000000000`];
    index.failBulkTo = `products-v${MAPPING_VERSION}-20260304050607089`;
    await expect(reindex(deps(index, [[product()]]))).rejects.toThrow(/503/);
    expect(index.alias).toEqual([`products-v${MAPPING_VERSION}-00000000000000000`]);
    expect([...index.indexes.keys()]).toEqual([`products-v${MAPPING_VERSION}-00000000000000000`]);
  });
});

describe('the indexer handler', () => {
  it('makes the alias on its first batch when there is none, then reports no failed record, twice over', async () => {
    const index = new RecordingIndex();
    const handler = makeIndexer({ index });
    expect(await handler(fixture, lambdaContext('indexProducts'))).toEqual({ batchItemFailures: [] });
    expect(await handler(fixture, lambdaContext('indexProducts'))).toEqual({ batchItemFailures: [] });
    expect(index.alias).toEqual([`products-v${MAPPING_VERSION}-00000000000000000`]);
    expect(index.steps.filter((s) => s.startsWith('create'))).toEqual([
      `create products-v${MAPPING_VERSION}-00000000000000000`,
    ]);
    expect(index.indexes.get(`products-v${MAPPING_VERSION}-00000000000000000`)!.get('prd_fx_mug')).toEqual({
      version: 3,
      deleted: true,
    });
  });

  it('reports the records the engine refused as batch item failures', async () => {
    const index = new RecordingIndex();
    await index.createIndex(`products-v${MAPPING_VERSION}-00000000000000000`);
    await index.pointAlias(`products-v${MAPPING_VERSION}-00000000000000000`, []);
    const refusing = Object.assign(index, {
      bulk: async (actions: readonly IndexAction[]): Promise<ActionOutcome[]> =>
        actions.map((a) =>
          a.version === 2 ? { status: 'failed', reason: '400 mapper_parsing_exception' } : { status: 'applied' },
        ),
    });
    expect(await makeIndexer({ index: refusing })(fixture, lambdaContext('indexProducts'))).toEqual({
      batchItemFailures: [{ itemIdentifier: fixture.Records[1]!.dynamodb!.SequenceNumber }],
    });
  });
});

const answer = (total: number): EngineSearchResponse => ({
  hits: { total: { value: total }, hits: [] },
  aggregations: {
    categories: { buckets: [] },
    brands: { buckets: [] },
    price: { count: 0, min: null, max: null, avg: null },
  },
});

function searchDeps(totals: number[], events: (signal: SearchSignal) => Promise<void> = async () => undefined) {
  const asked: SearchRequestBody[] = [];
  const signals: SearchSignal[] = [];
  const warnings: string[] = [];
  const deps: SearchDeps = {
    products: {
      search: async (body) => {
        asked.push(body);
        return answer(totals[asked.length - 1] ?? 0);
      },
      suggest: async () => ({ suggest: { names: [{ options: [] }] } }),
    },
    events: { searched: (signal) => (signals.push(signal), events(signal)) },
    log: { warn: (message) => void warnings.push(message) },
  };
  return { deps, asked, signals, warnings };
}

describe('a search', () => {
  const operators = (asked: SearchRequestBody[]) =>
    asked.map(
      (b) =>
        (b.query.function_score.query.bool.must[0] as { multi_match?: { operator: string } }).multi_match?.operator,
    );

  it('tries every word, then any word when that found nothing, and tells analytics the query and what it found', async () => {
    const { deps, asked, signals } = searchDeps([0, 4]);
    const result = await searchProducts(SearchQuery.parse({ q: ' red   teapot ' }), deps, { sessionId: 's-1' });
    expect(operators(asked)).toEqual(['and', 'or']);
    expect(result.total).toBe(4);
    expect(signals).toEqual([{ query: 'red teapot', results: 4, sessionId: 's-1' }]);
  });

  it('reports a search that found nothing with 0 results, and browsing (no q) not at all', async () => {
    const nothing = searchDeps([0, 0]);
    await searchProducts(SearchQuery.parse({ q: 'zebra lamp' }), nothing.deps);
    expect(nothing.signals).toEqual([{ query: 'zebra lamp', results: 0, sessionId: undefined }]);
    const browsing = searchDeps([10]);
    await searchProducts(SearchQuery.parse({ category: 'clocks' }), browsing.deps);
    expect([operators(browsing.asked), browsing.signals]).toEqual([[undefined], []]);
  });

  it('answers even when the clickstream fails or hangs, with a warning', async () => {
    const failing = searchDeps([2], () => Promise.reject(new Error('ResourceNotFoundException')));
    expect((await searchProducts(SearchQuery.parse({ q: 'lamp' }), failing.deps)).total).toBe(2);
    expect(failing.warnings).toEqual(['search event not written']);
    const hanging = searchDeps([2], () => new Promise(() => undefined));
    expect((await searchProducts(SearchQuery.parse({ q: 'lamp' }), hanging.deps)).total).toBe(2);
    expect(hanging.warnings).toEqual(['search event not written in time; answering without it']);
  });

  it('is a 503 in the contract shape when the engine cannot answer, never a 500', async () => {
    const { deps } = searchDeps([]);
    deps.products.search = () => Promise.reject(new SearchUnavailableError('search: connect ECONNREFUSED'));
    deps.products.suggest = () => Promise.reject(new SearchUnavailableError('suggest: 503'));
    await expect(searchProducts(SearchQuery.parse({ q: 'lamp' }), deps)).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      status: 503,
    });
    await expect(suggestProducts({ q: 'lamp', limit: 8 }, deps)).rejects.toBeInstanceOf(DomainError);
    const handler = makeSearchHandler(deps);
    const res = await handler(
      { queryStringParameters: { q: 'lamp' }, headers: {} } as never,
      lambdaContext('searchProducts'),
    );
    expect([res.statusCode, JSON.parse(res.body).error.code]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
  });

  it('refuses a session header that is not a UUID, naming it, before searching', async () => {
    const { deps, asked } = searchDeps([1]);
    const res = await makeSearchHandler(deps)(
      { queryStringParameters: { q: 'lamp' }, headers: { 'x-session-id': "' OR 1=1" } } as never,
      lambdaContext('searchProducts'),
    );
    expect([res.statusCode, JSON.parse(res.body).error.details[0].path, asked.length]).toEqual([
      400,
      'headers.x-session-id',
      0,
    ]);
  });
});
