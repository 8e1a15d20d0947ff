/**
 * What the local search engine does with the contract's requests: OpenSearch's fuzziness (a transposition is one
 * edit), field boosts and best_fields, filters, facets over the whole result, stable sorts and pagination,
 * function_score, external versions, atomic alias swaps, the completion suggester, and its refusals (DSL outside
 * the subset, malformed bodies, browsers and unsigned callers). Driven through the official client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors, type API, type Client, type Types } from '@opensearch-project/opensearch';
import {
  indexActions,
  PRODUCT_MAPPINGS,
  PRODUCT_SETTINGS,
  product,
  productsIndex,
  startTestEngine,
  type Product,
  type RunningEngine,
} from '../support/search-engine';

let running: RunningEngine;
let client: Client;
beforeAll(async () => {
  running = await startTestEngine();
  client = running.client;
});
afterAll(async () => running?.stop());

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

const catalog: Product[] = [
  product('cake-1', {
    name: 'Red Retrospot Cake Stand',
    description: 'Three tier stand for cakes',
    category: 'Kitchen',
    brand: 'Retrospot',
    price: 1250,
    popularity: 30,
  }),
  product('cake-2', {
    name: 'Sweetheart Cake Stand',
    description: 'Ceramic',
    category: 'Kitchen',
    brand: 'Sweetheart',
    price: 995,
    popularity: 5,
  }),
  product('cake-3', {
    name: 'Cake Tin Set',
    description: 'Round tins',
    category: 'Kitchen',
    brand: 'Retrospot',
    price: 650,
    popularity: 12,
  }),
  product('xmas-1', {
    name: 'Christmas Tree Decoration',
    description: 'Glass bauble',
    category: 'Christmas',
    brand: 'Noel',
    price: 250,
    popularity: 50,
  }),
  product('xmas-2', {
    name: 'Hanging Christmas Star Decoration',
    description: 'Wooden star',
    category: 'Christmas',
    brand: 'Noel',
    price: 195,
    popularity: 8,
  }),
  product('xmas-3', {
    name: 'Christmas Decorations Set of 6',
    description: 'Felt',
    category: 'Christmas',
    brand: 'Noel',
    price: 450,
    popularity: 3,
  }),
  product('deco-1', {
    name: 'Paper Decorations Kit',
    description: 'Party',
    category: 'Party',
    brand: 'Fete',
    price: 300,
    popularity: 9,
  }),
  product('lamp-1', {
    name: 'Stand Lamp',
    description: 'Reading lamp',
    category: 'Home',
    brand: 'Lumo',
    price: 4500,
    popularity: 2,
  }),
  product('bowl-1', {
    name: 'Snack Bowl',
    description: 'Enamel bowl',
    category: 'Kitchen',
    brand: 'Retrospot',
    price: 450,
    popularity: 20,
    status: 'INACTIVE',
  }),
];

beforeAll(async () => {
  await productsIndex(client, catalog);
});

const textQuery = (q: string, extra: Partial<Types.Common_QueryDsl.MultiMatchQuery> = {}): API.Search_RequestBody => ({
  track_total_hits: true,
  size: 20,
  query: {
    bool: {
      must: [
        {
          multi_match: {
            query: q,
            fields: ['name^2', 'description', 'category'],
            type: 'best_fields',
            fuzziness: 'AUTO',
            operator: 'and',
            ...extra,
          },
        },
      ],
      filter: [{ term: { status: 'ACTIVE' } }],
    },
  },
});
const ids = (response: API.Search_ResponseBody) => response.hits.hits.map((hit) => hit._id!);
const searchProducts = async (body: API.Search_RequestBody, index = 'products') =>
  (await client.search({ index, body })).body;

describe('typo tolerance, as OpenSearch counts edits', () => {
  it('finds the cake stands for "cake stnad": the transposition is one edit', async () => {
    expect(ids(await searchProducts(textQuery('cake stnad'))).sort()).toEqual(['cake-1', 'cake-2']);
  });

  it('finds nothing for "cake stnad" when transpositions count as two edits (plain Levenshtein)', async () => {
    expect(ids(await searchProducts(textQuery('cake stnad', { fuzzy_transpositions: false })))).toEqual([]);
  });

  it('finds the Christmas decorations for "chrismas decoraton" (operator or: the stem of decoration is decor, 4 edits away)', async () => {
    const found = ids(await searchProducts(textQuery('chrismas decoraton', { operator: 'or' })));
    expect(found.sort()).toEqual(['xmas-1', 'xmas-2', 'xmas-3']);
    // As in OpenSearch with the english analyzer: with operator and, "decoraton" matches no stemmed term.
    expect(ids(await searchProducts(textQuery('chrismas decoraton')))).toEqual([]);
  });

  it('allows no edit for terms of 1-2 characters and two from 6 characters (AUTO)', async () => {
    expect(ids(await searchProducts(textQuery('tn', { fields: ['name'] })))).toEqual([]);
    expect(ids(await searchProducts(textQuery('chirstams', { fields: ['name'] }))).sort()).toEqual([
      'xmas-1',
      'xmas-2',
      'xmas-3',
    ]);
  });
});

describe('relevance', () => {
  it('weighs a name match by its boost, and a best_fields document by its best field only', async () => {
    const docs = [
      product('b-name', { name: 'Lantern', description: 'Glass' }),
      product('b-both', { name: 'Lantern', description: 'Lantern' }),
      product('b-desc', { name: 'Glass', description: 'Lantern' }),
    ];
    await client.indices.create({ index: 'boosts', body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
    await client.bulk({ body: indexActions('boosts', docs) });
    const scores = async (fields: string[]) =>
      Object.fromEntries(
        (
          await searchProducts({ query: { multi_match: { query: 'lantern', fields, type: 'best_fields' } } }, 'boosts')
        ).hits.hits.map((hit) => [hit._id, hit._score as number]),
      );
    const nameFirst = await scores(['name^2', 'description']);
    expect(nameFirst['b-name']).toBeGreaterThan(nameFirst['b-desc']!);
    expect(nameFirst['b-both']).toBeCloseTo(nameFirst['b-name']!, 10);
    const descriptionFirst = await scores(['name', 'description^3']);
    expect(descriptionFirst['b-desc']).toBeGreaterThan(descriptionFirst['b-name']!);
  });

  it('boosts by popularity (log1p) and recency (gauss on createdAt) through function_score', async () => {
    const docs = [
      product('f-old-popular', { name: 'Enamel Mug', popularity: 500, createdAt: ago(800) }),
      product('f-new-popular', { name: 'Enamel Mug', popularity: 500, createdAt: ago(10) }),
      product('f-new-unpopular', { name: 'Enamel Mug', popularity: 0, createdAt: ago(10) }),
    ];
    await client.indices.create({
      index: 'functions',
      body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS },
    });
    await client.bulk({ body: indexActions('functions', docs) });
    const response = await searchProducts(
      {
        query: {
          function_score: {
            query: { multi_match: { query: 'enamel mug', fields: ['name'] } },
            functions: [
              { field_value_factor: { field: 'popularity', modifier: 'log1p', factor: 1, missing: 0 } },
              { gauss: { createdAt: { origin: 'now', scale: '365d', offset: '30d', decay: 0.5 } } },
            ],
            score_mode: 'sum',
            boost_mode: 'multiply',
          },
        },
      },
      'functions',
    );
    expect(ids(response)).toEqual(['f-new-popular', 'f-old-popular', 'f-new-unpopular']);
    const [best, , last] = response.hits.hits.map((hit) => hit._score as number);
    // Same text score: the factors are log10(501) + 1 (within the offset) and log10(1) + 1.
    expect(best! / last!).toBeCloseTo(Math.log10(501) + 1, 6);
  });
});

describe('filters and facets', () => {
  it('filters by term, terms and range, and counts facets over the whole filtered result', async () => {
    const response = await searchProducts({
      track_total_hits: true,
      size: 1,
      query: {
        bool: {
          must: [{ match_all: {} }],
          filter: [
            { term: { status: 'ACTIVE' } },
            { terms: { brand: ['Retrospot', 'Noel', 'Fete'] } },
            { range: { price: { gte: 250, lte: 1250 } } },
          ],
        },
      },
      aggs: {
        categories: {
          terms: { field: 'category.keyword', size: 1 } as Types.Common_Aggregations.TermsAggregationFields,
        },
        price: { stats: { field: 'price' } },
      },
    });
    expect(response.hits.total).toEqual({ value: 5, relation: 'eq' });
    const categories = response.aggregations!.categories as {
      buckets: { key: string; doc_count: number }[];
      sum_other_doc_count: number;
    };
    // Kitchen and Christmas both hold 2: the tie goes to the smaller key.
    expect(categories.buckets).toEqual([{ key: 'Christmas', doc_count: 2 }]);
    expect(categories.buckets.reduce((sum, b) => sum + b.doc_count, 0) + categories.sum_other_doc_count).toBe(5);
    expect(response.hits.hits).toHaveLength(1);
    expect(response.aggregations!.price).toEqual({ count: 5, min: 250, max: 1250, avg: 580, sum: 2900 });
  });

  it('filters on category.keyword exactly, and an unknown brand matches nothing', async () => {
    const kitchen = await searchProducts({
      query: { bool: { filter: [{ term: { 'category.keyword': 'Kitchen' } }, { term: { status: 'ACTIVE' } }] } },
    });
    expect(ids(kitchen).sort()).toEqual(['cake-1', 'cake-2', 'cake-3']);
    expect(
      ids(await searchProducts({ query: { bool: { filter: [{ term: { 'category.keyword': 'kitchen' } }] } } })),
    ).toEqual([]);
    expect(ids(await searchProducts({ query: { bool: { filter: [{ terms: { brand: ['Nobody'] } }] } } }))).toEqual([]);
  });
});

describe('sorting and pagination', () => {
  const many = Array.from({ length: 23 }, (_, i) =>
    product(`s-${String(i).padStart(2, '0')}`, {
      name: `Item ${i}`,
      price: 100 * (i % 4),
      popularity: i % 3,
      createdAt: ago(i % 5),
    }),
  );

  beforeAll(async () => {
    await client.indices.create({ index: 'sorting', body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
    await client.bulk({ body: indexActions('sorting', [...many].reverse()) });
  });

  for (const sort of [
    [{ price: { order: 'asc' as const } }],
    [{ popularity: { order: 'desc' as const } }],
    [{ createdAt: { order: 'desc' as const } }],
    ['_score' as const],
  ]) {
    it(`pages through ${JSON.stringify(sort)} without repeating or skipping a hit, even on ties`, async () => {
      const seen: string[] = [];
      for (let from = 0; from < many.length; from += 5) {
        seen.push(...ids(await searchProducts({ from, size: 5, sort, query: { match_all: {} } }, 'sorting')));
      }
      expect(seen).toHaveLength(many.length);
      expect(new Set(seen).size).toBe(many.length);
      expect(seen).toEqual(ids(await searchProducts({ size: 100, sort, query: { match_all: {} } }, 'sorting')));
    });
  }

  it('sorts by field with an id tie-breaker, and returns the sort values', async () => {
    const response = await searchProducts(
      { size: 5, sort: [{ price: { order: 'desc' } }, { id: { order: 'asc' } }], query: { match_all: {} } },
      'sorting',
    );
    expect(response.hits.hits.map((hit) => hit.sort)).toEqual([
      [300, 's-03'],
      [300, 's-07'],
      [300, 's-11'],
      [300, 's-15'],
      [300, 's-19'],
    ]);
  });
});

describe('external versions', () => {
  const write = (doc: Product, index = 'products') =>
    client.bulk({ body: indexActions(index, [doc]) }).then((r) => r.body.items[0]!.index!);
  const remove = (id: string, version: number) =>
    client
      .bulk({ body: [{ delete: { _index: 'products', _id: id, version, version_type: 'external' } }] })
      .then((r) => r.body.items[0]!.delete!);
  const current = async (id: string) =>
    (await client.get({ index: 'products', id }).catch((e: errors.ResponseError) => e.meta)).body as {
      found: boolean;
      _version?: number;
      _source?: Product;
    };

  it('never takes a document back on an older or repeated delivery', async () => {
    const v3 = product('v-1', { name: 'Wicker Basket', version: 3 });
    expect((await write(v3)).status).toBe(201);
    expect(await write({ ...v3, name: 'Older name', version: 2 })).toMatchObject({
      status: 409,
      error: { type: 'version_conflict_engine_exception' },
    });
    expect(await write(v3)).toMatchObject({ status: 409 });
    expect(await current('v-1')).toMatchObject({ _version: 3, _source: { name: 'Wicker Basket' } });
    expect(await write({ ...v3, name: 'Newer name', version: 4 })).toMatchObject({
      status: 200,
      result: 'updated',
      _version: 4,
    });
  });

  it('keeps a delete against a late, older index of the same product, and a late older delete against a newer index', async () => {
    const doc = product('v-2', { name: 'Linen Apron', version: 5 });
    await write(doc);
    expect(await remove('v-2', 6)).toMatchObject({ status: 200, result: 'deleted', _version: 6 });
    expect(await write({ ...doc, version: 5 })).toMatchObject({ status: 409 });
    expect(await current('v-2')).toMatchObject({ found: false });
    expect(await write({ ...doc, version: 7 })).toMatchObject({ status: 201, result: 'created' });
    expect(await remove('v-2', 6)).toMatchObject({ status: 409 });
    expect(await current('v-2')).toMatchObject({ found: true, _version: 7 });
  });

  it('accepts an equal version with external_gte only', async () => {
    const doc = product('v-3', { name: 'Tea Towel', version: 2 });
    await write(doc);
    const gte = await client.bulk({
      body: [
        { index: { _index: 'products', _id: 'v-3', version: 2, version_type: 'external_gte' } },
        { ...doc, name: 'Tea Towel Set' },
      ],
    });
    expect(gte.body.items[0]!.index).toMatchObject({ status: 200, _version: 2 });
  });

  it('refuses external versions on create, and a delete on a missing index creates nothing', async () => {
    const create = await client.bulk({
      body: [
        { create: { _index: 'products', _id: 'c-1', version: 3, version_type: 'external' } },
        product('c-1', { name: 'x' }),
      ],
    });
    expect(create.body.items[0]!.create).toMatchObject({
      status: 400,
      error: { type: 'action_request_validation_exception' },
    });
    const missing = await client
      .delete({ index: 'no-such-index', id: 'x', version: 2, version_type: 'external' })
      .catch((e: errors.ResponseError) => e.meta);
    expect([missing.statusCode, (missing.body as Types.Common.ErrorResponseBase).error.type]).toEqual([
      404,
      'index_not_found_exception',
    ]);
    expect((await client.indices.exists({ index: 'no-such-index' })).body).toBe(false);
  });

  it('forgets a tombstone after index.gc_deletes, as OpenSearch does', async () => {
    await client.indices.create({
      index: 'short-tombstones',
      body: { settings: { ...PRODUCT_SETTINGS, 'index.gc_deletes': '1ms' }, mappings: PRODUCT_MAPPINGS },
    });
    const doc = product('t-1', { name: 'Jar', version: 3 });
    await write(doc, 'short-tombstones');
    await client.delete({ index: 'short-tombstones', id: 't-1', version: 4, version_type: 'external' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await write(doc, 'short-tombstones')).status).toBe(201);
  });
});

describe('aliases', () => {
  it('never fails a search while the alias is swapped back and forth between two indexes', async () => {
    await client.indices.create({ index: 'swap-a', body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
    await client.bulk({ body: indexActions('swap-a', [product('a-1', { name: 'Blue Jug' })]) });
    await client.indices.create({ index: 'swap-b', body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
    await client.bulk({
      body: indexActions('swap-b', [product('b-1', { name: 'Blue Jug' }), product('b-2', { name: 'Blue Jug Large' })]),
    });
    await client.indices.putAlias({ index: 'swap-a', name: 'shop' });
    const swaps = Array.from({ length: 30 }, (_, i) => {
      const [from, to] = i % 2 ? ['swap-b', 'swap-a'] : ['swap-a', 'swap-b'];
      return client.indices.updateAliases({
        body: { actions: [{ remove: { index: from, alias: 'shop' } }, { add: { index: to, alias: 'shop' } }] },
      });
    });
    const searches = Array.from({ length: 120 }, () =>
      client.search({ index: 'shop', body: { query: { match: { name: 'jug' } } } }),
    );
    const [done, answers] = await Promise.all([Promise.all(swaps), Promise.all(searches)]);
    expect(done.every((r) => r.statusCode === 200)).toBe(true);
    const totals = new Set(answers.map((r) => (r.body.hits.total as Types.Core_Search.TotalHits).value));
    expect([...totals].every((total) => total === 1 || total === 2)).toBe(true);
  });
});

describe('completion suggester', () => {
  const suggestions = async (prefix: string, fuzzy = true, skipDuplicates = true) => {
    const response = await searchProducts({
      size: 0,
      _source: ['id', 'name'],
      suggest: {
        names: {
          prefix,
          completion: {
            field: 'suggest',
            size: 8,
            skip_duplicates: skipDuplicates,
            ...(fuzzy && { fuzzy: { fuzziness: 'AUTO', min_length: 4, transpositions: true } }),
          },
        },
      },
    });
    return (response.suggest!.names![0]!.options as { text: string; _id: string }[]).map((option) => option.text);
  };

  it("completes the start of an input and of any word of it, and never an inactive product's", async () => {
    expect(await suggestions('cake st')).toEqual(
      expect.arrayContaining(['Red Retrospot Cake Stand', 'Sweetheart Cake Stand']),
    );
    expect(await suggestions('sweet')).toEqual(['Sweetheart Cake Stand']);
    expect(await suggestions('snack')).toEqual([]);
  });

  it('tolerates a transposed prefix from min_length on, and none below it', async () => {
    expect(await suggestions('chirst')).toEqual(
      expect.arrayContaining(['Christmas Tree Decoration', 'Hanging Christmas Star Decoration']),
    );
    expect(await suggestions('chirst', false)).toEqual([]);
    expect(await suggestions('sc')).toEqual([]);
  });

  it('ranks the exact prefix before fuzzy ones', async () => {
    const ranked = await suggestions('stan');
    expect(ranked[0]).toBe('Stand Lamp');
  });
});

describe('refusals', () => {
  const failure = async (request: Promise<unknown>) => {
    const error = (await request.then(
      () => undefined,
      (e: unknown) => e,
    )) as errors.ResponseError;
    expect(error).toBeInstanceOf(errors.ResponseError);
    return { status: error.meta.statusCode, body: error.meta.body as Types.Common.ErrorResponseBase };
  };
  const shape = (status: number, type: string) => ({
    status,
    body: {
      status,
      error: expect.objectContaining({
        type,
        reason: expect.any(String),
        root_cause: [expect.objectContaining({ type })],
      }),
    },
  });

  it('refuses DSL outside the subset with OpenSearch errors, naming what it refused', async () => {
    const cases: [API.Search_RequestBody, string][] = [
      [{ query: { wildcard: { name: { value: 'cak*' } } } }, '[wildcard]'],
      [{ query: { bool: { must: [{ match_phrase: { name: 'cake stand' } }] } } }, '[match_phrase]'],
      [{ query: { multi_match: { query: 'cake', fields: ['name'], type: 'cross_fields' } } }, 'cross_fields'],
      [
        { query: { multi_match: { query: 'cake', fields: ['name'], minimum_should_match: '2' } } },
        'minimum_should_match',
      ],
      [
        {
          aggs: {
            c: {
              terms: { field: 'brand' } as Types.Common_Aggregations.TermsAggregationFields,
              aggs: { p: { max: { field: 'price' } as Types.Common_Aggregations.MaxAggregation } },
            },
          },
        },
        'sub-aggregation',
      ],
      [{ aggs: { h: { histogram: { field: 'price', interval: 100 } } } }, '[histogram]'],
      [
        { query: { function_score: { query: { match_all: {} }, functions: [{ random_score: {} }] } } },
        '[random_score]',
      ],
      [{ query: { match_all: {} }, collapse: { field: 'brand' } }, '[collapse]'],
    ];
    for (const [body, named] of cases) {
      const refused = await failure(client.search({ index: 'products', body }));
      expect(refused, JSON.stringify(body)).toEqual(shape(400, 'parsing_exception'));
      expect(refused.body.error.reason).toContain(named);
    }
    expect(
      await failure(
        client.search({ index: 'products', body: { query: { match_all: {} } }, filter_path: 'hits.total' }),
      ),
    ).toEqual(shape(400, 'illegal_argument_exception'));
    expect(await failure(client.search({ index: 'products', body: { sort: [{ name: { order: 'asc' } }] } }))).toEqual(
      shape(400, 'illegal_argument_exception'),
    );
    expect(await failure(client.search({ index: 'products', body: { from: 9990, size: 20 } }))).toEqual(
      shape(400, 'illegal_argument_exception'),
    );
  });

  it('answers malformed bodies with 400, never 500, and writes nothing', async () => {
    const before = (await client.count({ index: 'products' })).body.count;
    expect(
      await failure(client.bulk({ body: '{"index":{"_index":"products","_id":"m1"}}\n{"name": broken\n' as never })),
    ).toEqual(shape(400, 'illegal_argument_exception'));
    expect(
      await failure(client.bulk({ body: '{"index":{"_index":"products","_id":"m1"}}\n{"name":"x"}' as never })),
    ).toEqual(shape(400, 'illegal_argument_exception'));
    expect(await failure(client.bulk({ body: '{"frobnicate":{"_index":"products"}}\n' as never }))).toEqual(
      shape(400, 'illegal_argument_exception'),
    );
    expect(await failure(client.bulk({ body: '{"index":{"_index":"products","_id":"m1"}}\n' as never }))).toEqual(
      shape(400, 'illegal_argument_exception'),
    );
    expect(await failure(client.search({ index: 'products', body: '{"query": {' as never }))).toEqual(
      shape(400, 'parse_exception'),
    );
    expect(await failure(client.search({ index: 'products', body: '[1,2]' as never }))).toEqual(
      shape(400, 'parse_exception'),
    );
    expect(
      await failure(client.search({ index: 'products', body: { query: { bool: { must: 'cake' } } } as never })),
    ).toEqual(shape(400, 'parsing_exception'));
    expect(
      await failure(
        client.indices.updateAliases({
          body: {
            actions: [
              { add: { index: 'products-v1-20260101000000000', alias: 'other' } },
              { add: { index: 'no-such-index', alias: 'other' } },
            ],
          },
        }),
      ),
    ).toEqual(shape(404, 'index_not_found_exception'));
    expect((await client.indices.exists({ index: 'other' })).body).toBe(false);
    expect((await client.count({ index: 'products' })).body.count).toBe(before);
  });

  it('refuses browsers and callers without the per-run secret, and changes nothing', async () => {
    const endpoint = running.engine.endpoint;
    const bulkBody = '{"index":{"_index":"products","_id":"evil"}}\n{"name":"x"}\n';
    const fromPage = await fetch(`${endpoint}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: bulkBody,
    });
    expect(fromPage.status).toBe(415);
    const withOrigin = await fetch(`${endpoint}/products/_search`, { headers: { origin: 'http://evil.example' } });
    expect(withOrigin.status).toBe(403);
    const unsigned = await fetch(`${endpoint}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: bulkBody,
    });
    expect([unsigned.status, unsigned.headers.get('x-amzn-errortype')]).toEqual([
      403,
      'MissingAuthenticationTokenException',
    ]);
    const { searchClient } = await import('../support/search-engine');
    const guessing = searchClient(endpoint, { accessKeyId: 'local', secretAccessKey: 'guess' });
    const wrongSecret = await guessing
      .bulk({ body: indexActions('products', [product('evil', { name: 'x' })]) })
      .catch((e: errors.ResponseError) => e.meta);
    await guessing.close();
    expect(wrongSecret.statusCode).toBe(403);
    expect((await client.exists({ index: 'products', id: 'evil' })).body).toBe(false);
  });
});
