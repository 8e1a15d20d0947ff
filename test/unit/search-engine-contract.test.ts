/**
 * The local search engine against the contract (/work/notes/search-contract.md), driven by the official client
 * `@opensearch-project/opensearch` signed with its AwsSigv4Signer. Each request is written as the client's own
 * request type and each expected answer as the client's own response type, so `npm run typecheck` proves the
 * shapes are OpenSearch's, and `toEqual` proves the engine answers exactly them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors, type API, type Types } from '@opensearch-project/opensearch';
import {
  indexActions,
  PRODUCT_MAPPINGS,
  PRODUCT_SETTINGS,
  product,
  startTestEngine,
  type RunningEngine,
} from '../support/search-engine';

let running: RunningEngine;
beforeAll(async () => {
  running = await startTestEngine();
});
afterAll(async () => running?.stop());

const client = () => running.client;
/** The body of the client's ResponseError (OpenSearch's error shape), and its status. */
async function failure(
  request: Promise<unknown>,
): Promise<{ statusCode: number; body: Types.Common.ErrorResponseBase }> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errors.ResponseError);
  const { statusCode, body } = (error as errors.ResponseError).meta;
  return { statusCode: statusCode!, body: body as Types.Common.ErrorResponseBase };
}

const cake = product('p1', {
  name: 'Red Retrospot Cake Stand',
  description: 'Three tier cake stand',
  category: 'Kitchen',
  brand: 'Retrospot',
  price: 1250,
  popularity: 17,
  version: 3,
});
const star = product('p2', {
  name: 'Hanging Christmas Star',
  description: 'Christmas decoration',
  category: 'Christmas',
  brand: 'Noel',
  price: 250,
  popularity: 40,
  version: 1,
});

describe('index and alias management', () => {
  const v1 = 'products-v1-20260101000000000';
  const v2 = 'products-v1-20260102000000000';

  it('creates an index with the contract settings and mapping, and shows it back', async () => {
    const created: API.Indices_Create_ResponseBody = { acknowledged: true, shards_acknowledged: true, index: v1 };
    const request: API.Indices_Create_Request = {
      index: v1,
      body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS },
    };
    expect((await client().indices.create(request)).body).toEqual(created);
    expect((await client().indices.exists({ index: v1 })).body).toBe(true);
    expect((await client().indices.exists({ index: 'products-v9-none' })).body).toBe(false);
    const got: API.Indices_Get_ResponseBody = (await client().indices.get({ index: v1 })).body;
    expect(got[v1]).toMatchObject({
      aliases: {},
      mappings: PRODUCT_MAPPINGS,
      settings: { index: { number_of_shards: '1', number_of_replicas: '0', provided_name: v1 } },
    });
    const again = await failure(client().indices.create(request));
    expect(again.statusCode).toBe(400);
    expect(again.body.error).toMatchObject({
      type: 'resource_already_exists_exception',
      root_cause: [{ type: 'resource_already_exists_exception' }],
    });
  });

  it('swaps the alias atomically with remove+add in one _aliases request, and reads it both ways', async () => {
    await client().indices.create({ index: v2, body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
    const acknowledged: API.Indices_UpdateAliases_ResponseBody = { acknowledged: true };
    expect(
      (await client().indices.updateAliases({ body: { actions: [{ add: { index: v1, alias: 'products' } }] } })).body,
    ).toEqual(acknowledged);
    const swap: API.Indices_UpdateAliases_Request = {
      body: { actions: [{ remove: { index: v1, alias: 'products' } }, { add: { index: v2, alias: 'products' } }] },
    };
    expect((await client().indices.updateAliases(swap)).body).toEqual(acknowledged);
    const byAlias: API.Indices_GetAlias_ResponseBody = { [v2]: { aliases: { products: {} } } };
    expect((await client().indices.getAlias({ name: 'products' })).body).toEqual(byAlias);
    expect((await client().indices.getAlias({ index: v1 })).body).toEqual({ [v1]: { aliases: {} } });
    expect((await client().indices.getAlias({ index: 'products' })).body).toEqual(byAlias);
    expect((await client().indices.exists({ index: 'products' })).body).toBe(true);
  });

  it('answers a missing alias and a missing index with OpenSearch 404s', async () => {
    const missingAlias = await failure(client().indices.getAlias({ name: 'nothing-here' }));
    expect(missingAlias).toEqual({ statusCode: 404, body: { error: 'alias [nothing-here] missing', status: 404 } });
    const missingIndex = await failure(client().indices.get({ index: 'nothing-here' }));
    expect(missingIndex.statusCode).toBe(404);
    expect(missingIndex.body).toEqual({
      error: {
        root_cause: [
          {
            type: 'index_not_found_exception',
            reason: 'no such index [nothing-here]',
            'resource.type': 'index_or_alias',
            'resource.id': 'nothing-here',
            index_uuid: '_na_',
            index: 'nothing-here',
          },
        ],
        type: 'index_not_found_exception',
        reason: 'no such index [nothing-here]',
        'resource.type': 'index_or_alias',
        'resource.id': 'nothing-here',
        index_uuid: '_na_',
        index: 'nothing-here',
      },
      status: 404,
    });
  });

  it('refuses to delete through an alias, deletes the old index, and refreshes', async () => {
    const throughAlias = await failure(client().indices.delete({ index: 'products' }));
    expect([throughAlias.statusCode, throughAlias.body.error.type]).toEqual([400, 'illegal_argument_exception']);
    const deleted: API.Indices_Delete_ResponseBody = { acknowledged: true };
    expect((await client().indices.delete({ index: v1 })).body).toEqual(deleted);
    const refreshed: API.Indices_Refresh_ResponseBody = { _shards: { total: 1, successful: 1, failed: 0 } };
    expect((await client().indices.refresh({ index: 'products' })).body).toEqual(refreshed);
  });
});

describe('documents', () => {
  it('answers _bulk with external versions item by item, a stale version failing with 409 while the rest goes on', async () => {
    const first: API.Bulk_ResponseBody = (await client().bulk({ body: indexActions('products', [cake, star]) })).body;
    const write = (
      id: string,
      version: number,
      seq: number,
      result: string,
      status: number,
    ): Types.Core_Bulk.ResponseItem => ({
      _index: 'products-v1-20260102000000000',
      _id: id,
      _version: version,
      result,
      _shards: { total: 1, successful: 1, failed: 0 },
      _seq_no: seq,
      _primary_term: 1,
      status,
    });
    expect(first).toEqual({
      took: expect.any(Number),
      errors: false,
      items: [{ index: write('p1', 3, 0, 'created', 201) }, { index: write('p2', 1, 1, 'created', 201) }],
    });

    const stale = { ...cake, name: 'Stale name', version: 2 };
    const mixed: API.Bulk_Request = {
      body: [
        ...indexActions('products', [stale, { ...star, version: 2 }]),
        { delete: { _index: 'products', _id: 'p9', version: 7, version_type: 'external' } },
      ],
    };
    const answer: API.Bulk_ResponseBody = (await client().bulk(mixed)).body;
    expect(answer.errors).toBe(true);
    expect(answer.items[0]!.index).toEqual({
      _index: 'products-v1-20260102000000000',
      _id: 'p1',
      status: 409,
      error: {
        type: 'version_conflict_engine_exception',
        reason: '[p1]: version conflict, current version [3] is higher or equal to the one provided [2]',
        index: 'products-v1-20260102000000000',
        shard: '0',
        index_uuid: expect.any(String),
      },
    });
    expect(answer.items[1]!.index).toEqual(write('p2', 2, 2, 'updated', 200));
    expect(answer.items[2]!.delete).toEqual(write('p9', 7, 3, 'not_found', 404));
    const kept: API.Get_ResponseBody = (await client().get({ index: 'products', id: 'p1' })).body;
    expect(kept).toEqual({
      _index: 'products-v1-20260102000000000',
      _id: 'p1',
      _version: 3,
      _seq_no: 0,
      _primary_term: 1,
      found: true,
      _source: cake,
    });
  });

  it('indexes, reads and deletes one document with ?version=N&version_type=external', async () => {
    const doc = product('p3', { name: 'Paper Chain Kit', version: 4 });
    const indexed: API.Index_ResponseBody = (
      await client().index({ index: 'products', id: 'p3', version: 4, version_type: 'external', body: doc })
    ).body;
    expect(indexed).toEqual({
      _index: 'products-v1-20260102000000000',
      _id: 'p3',
      _version: 4,
      result: 'created',
      _shards: { total: 1, successful: 1, failed: 0 },
      _seq_no: 4,
      _primary_term: 1,
    });
    const stale = await failure(
      client().index({ index: 'products', id: 'p3', version: 4, version_type: 'external', body: doc }),
    );
    expect([stale.statusCode, stale.body.error.type, stale.body.status]).toEqual([
      409,
      'version_conflict_engine_exception',
      409,
    ]);
    const deleted: API.Delete_ResponseBody = (
      await client().delete({ index: 'products', id: 'p3', version: 5, version_type: 'external' })
    ).body;
    expect(deleted).toMatchObject({ _id: 'p3', _version: 5, result: 'deleted' });
    const gone = await failure(client().get({ index: 'products', id: 'p3' }));
    expect(gone).toEqual({
      statusCode: 404,
      body: { _index: 'products-v1-20260102000000000', _id: 'p3', found: false },
    });
  });

  it('refuses a document the strict mapping does not allow, with mapper errors', async () => {
    const unknownField = await failure(
      client().index({ index: 'products', id: 'p4', body: { ...product('p4', { name: 'x' }), colour: 'red' } }),
    );
    expect([unknownField.statusCode, unknownField.body.error.type]).toEqual([400, 'strict_dynamic_mapping_exception']);
    const badPrice = await failure(
      client().index({ index: 'products', id: 'p4', body: { ...product('p4', { name: 'x' }), price: 'cheap' } }),
    );
    expect([badPrice.statusCode, badPrice.body.error.type]).toEqual([400, 'mapper_parsing_exception']);
  });
});

/** The client's 3.9 types omit `field` from a terms aggregation (TermsAggregationFields), which OpenSearch requires. */
const termsOn = (field: string) => ({ field, size: 100 }) as Types.Common_Aggregations.TermsAggregationFields;

describe('search', () => {
  const contractQuery = (q: string, operator: 'and' | 'or'): API.Search_RequestBody => ({
    track_total_hits: true,
    from: 0,
    size: 20,
    query: {
      function_score: {
        query: {
          bool: {
            must: [
              {
                multi_match: {
                  query: q,
                  fields: ['name^2', 'description', 'category'],
                  type: 'best_fields',
                  fuzziness: 'AUTO',
                  operator,
                },
              },
            ],
            filter: [
              { term: { status: 'ACTIVE' } },
              { terms: { brand: ['Retrospot', 'Noel'] } },
              { range: { price: { gte: 100, lte: 2000 } } },
            ],
          },
        },
        functions: [
          { field_value_factor: { field: 'popularity', modifier: 'log1p', factor: 1, missing: 0 } },
          { gauss: { createdAt: { origin: 'now', scale: '365d', offset: '30d', decay: 0.5 } } },
        ],
        score_mode: 'sum',
        boost_mode: 'multiply',
      },
    },
    sort: ['_score', { id: { order: 'asc' } }],
    aggs: {
      categories: { terms: termsOn('category.keyword') },
      brands: { terms: termsOn('brand') },
      price: { stats: { field: 'price' } },
    },
  });

  it("answers the contract's search in OpenSearch's shape", async () => {
    const response: API.Search_ResponseBody = (
      await client().search({ index: 'products', body: contractQuery('cake stnad', 'and') })
    ).body;
    const score = response.hits.hits[0]?._score;
    expect(typeof score).toBe('number');
    expect(response).toEqual({
      took: expect.any(Number),
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: 1, relation: 'eq' },
        max_score: score,
        hits: [
          { _index: 'products-v1-20260102000000000', _id: 'p1', _score: score, _source: cake, sort: [score, 'p1'] },
        ],
      },
      aggregations: {
        categories: {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: 0,
          buckets: [{ key: 'Kitchen', doc_count: 1 }],
        },
        brands: {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: 0,
          buckets: [{ key: 'Retrospot', doc_count: 1 }],
        },
        price: { count: 1, min: 1250, max: 1250, avg: 1250, sum: 1250 },
      },
    } satisfies API.Search_ResponseBody);
  });

  it('answers the browse query (match_all) sorted by a field, with null scores as OpenSearch', async () => {
    const browse: API.Search_RequestBody = {
      track_total_hits: true,
      query: { bool: { must: [{ match_all: {} }], filter: [{ term: { status: 'ACTIVE' } }] } },
      sort: [{ price: { order: 'asc' } }, { id: { order: 'asc' } }],
      size: 1,
    };
    const response: API.Search_ResponseBody = (await client().search({ index: 'products', body: browse })).body;
    expect(response.hits).toEqual({
      total: { value: 2, relation: 'eq' },
      max_score: null,
      hits: [
        {
          _index: 'products-v1-20260102000000000',
          _id: 'p2',
          _score: null,
          _source: { ...star, version: 2 },
          sort: [250, 'p2'],
        },
      ],
    });
  });

  it("answers the contract's completion suggest in OpenSearch's shape", async () => {
    const request: API.Search_RequestBody = {
      size: 0,
      _source: ['id', 'name'],
      suggest: {
        names: {
          prefix: 'cake st',
          completion: {
            field: 'suggest',
            size: 8,
            skip_duplicates: true,
            fuzzy: { fuzziness: 'AUTO', min_length: 4, transpositions: true },
          },
        },
      },
    };
    const response: API.Search_ResponseBody = (await client().search({ index: 'products', body: request })).body;
    expect(response.suggest).toEqual({
      names: [
        {
          text: 'cake st',
          offset: 0,
          length: 7,
          options: [
            {
              text: 'Red Retrospot Cake Stand',
              _index: 'products-v1-20260102000000000',
              _id: 'p1',
              _score: 7,
              _source: { id: 'p1', name: 'Red Retrospot Cake Stand' },
            },
          ],
        },
      ],
    } satisfies API.Search_ResponseBody['suggest']);
    expect(response.hits).toEqual({ total: { value: 2, relation: 'eq' }, max_score: null, hits: [] });
  });

  it('refuses query_string (and any query outside the subset) with a parsing_exception, never an answer', async () => {
    const refused = await failure(
      client().search({ index: 'products', body: { query: { query_string: { query: 'cake' } } } }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: 'parsing_exception',
      root_cause: [{ type: 'parsing_exception', reason: expect.stringContaining('[query_string]') }],
    });
    const highlight = await failure(
      client().search({ index: 'products', body: { query: { match_all: {} }, highlight: { fields: { name: {} } } } }),
    );
    expect([highlight.statusCode, highlight.body.error.type, highlight.body.error.reason]).toEqual([
      400,
      'parsing_exception',
      expect.stringContaining('[highlight]'),
    ]);
  });
});

describe('cluster', () => {
  it('answers the health check and the cluster info', async () => {
    const health: API.Cluster_Health_ResponseBody = (await client().cluster.health()).body;
    expect(health).toMatchObject({ status: 'green', timed_out: false, number_of_nodes: 1, unassigned_shards: 0 });
    const info: API.Info_ResponseBody = (await client().info()).body;
    expect(info).toMatchObject({
      version: { distribution: 'opensearch' },
      tagline: 'The OpenSearch Project: https://opensearch.org/',
    });
  });
});
