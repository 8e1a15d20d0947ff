/**
 * GET /v1/search and /v1/search/suggest as OpenSearch's query DSL (functions/search/domain/query.ts, suggest.ts):
 * every parameter maps to the documented body (/work/notes/search-contract.md), bad input is refused by the
 * schema, and the engine's answer becomes API.md's shape.
 */
import { describe, expect, it } from 'vitest';
import {
  canRelax,
  FACET_SIZE,
  RELEVANCE_BOOST,
  searchBody,
  searchResultsFrom,
  type EngineSearchResponse,
} from '../../functions/search/domain/query';
import { suggestBody, suggestionsFrom, type EngineSuggestResponse } from '../../functions/search/domain/suggest';
import { SearchQuery, SuggestQuery } from '../../functions/search/schemas';
import '../../functions/shared/schemas';

const parse = (query: Record<string, string>) => SearchQuery.parse(query);
const body = (query: Record<string, string>, operator?: 'and' | 'or') => searchBody(parse(query), operator);
const issuesOf = (query: Record<string, string>) => {
  const result = SearchQuery.safeParse(query);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('the search body', () => {
  it('browses everything active with no q: match_all under the status filter, relevance (popularity and recency) first', () => {
    expect(body({})).toEqual({
      track_total_hits: true,
      from: 0,
      size: 20,
      query: {
        function_score: {
          query: { bool: { must: [{ match_all: {} }], filter: [{ term: { status: 'ACTIVE' } }] } },
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
        categories: { terms: { field: 'category.keyword', size: 100 } },
        brands: { terms: { field: 'brand', size: 100 } },
        price: { stats: { field: 'price' } },
      },
    });
    expect(FACET_SIZE).toBe(100);
    expect(RELEVANCE_BOOST).toHaveLength(2);
  });

  it('matches q over name (×2), description and category, typos tolerated, every word first, any word when relaxed', () => {
    expect(body({ q: '  cake   stnad ' }).query.function_score.query.bool.must).toEqual([
      {
        multi_match: {
          query: 'cake stnad',
          fields: ['name^2', 'name.plain^2', 'description', 'category'],
          type: 'best_fields',
          fuzziness: 'AUTO',
          operator: 'and',
        },
      },
    ]);
    expect(body({ q: 'cake stnad' }, 'or').query.function_score.query.bool.must).toEqual([
      {
        multi_match: {
          query: 'cake stnad',
          fields: ['name^2', 'name.plain^2', 'description', 'category'],
          type: 'best_fields',
          fuzziness: 'AUTO',
          operator: 'or',
        },
      },
    ]);
    // An empty or blank q browses.
    expect(body({ q: '   ' }).query.function_score.query.bool.must).toEqual([{ match_all: {} }]);
  });

  it('treats query syntax, wildcards, backslashes, JSON and script text as words: they only ever become the match text', () => {
    for (const q of [
      'name:foo AND (',
      '*',
      '\\',
      '{"query":{"match_all":{}}}',
      '<script>alert(1)</script>',
      "ctx._source.price = 0; doc['x']",
      'price:[0 TO 1]',
    ]) {
      const built = body({ q });
      expect(built.query.function_score.query.bool.must, q).toEqual([
        {
          multi_match: {
            query: q,
            fields: ['name^2', 'name.plain^2', 'description', 'category'],
            type: 'best_fields',
            fuzziness: 'AUTO',
            operator: 'and',
          },
        },
      ]);
      // Nowhere else: the rest of the body is the same as a plain search's.
      expect(JSON.stringify({ ...built, query: undefined }), q).toBe(
        JSON.stringify({ ...body({ q: 'plain' }), query: undefined }),
      );
      expect(JSON.stringify(built), q).not.toMatch(/"(simple_)?query_string":|"script(_score)?":/);
    }
  });

  it('filters by category (its keyword), brand and the price range, inclusive, always on ACTIVE', () => {
    const filter = (query: Record<string, string>) => body(query).query.function_score.query.bool.filter;
    expect(filter({ category: 'kitchen-dining' })).toEqual([
      { term: { status: 'ACTIVE' } },
      { term: { 'category.keyword': 'kitchen-dining' } },
    ]);
    expect(filter({ brand: 'Fuzz & Co' })).toEqual([
      { term: { status: 'ACTIVE' } },
      { terms: { brand: ['Fuzz & Co'] } },
    ]);
    expect(filter({ minPrice: '100', maxPrice: '2000' })).toEqual([
      { term: { status: 'ACTIVE' } },
      { range: { price: { gte: 100, lte: 2000 } } },
    ]);
    expect(filter({ minPrice: '0' })).toEqual([{ term: { status: 'ACTIVE' } }, { range: { price: { gte: 0 } } }]);
    expect(filter({ maxPrice: '999' })).toEqual([{ term: { status: 'ACTIVE' } }, { range: { price: { lte: 999 } } }]);
    expect(filter({ category: 'lighting', brand: 'B', minPrice: '5', maxPrice: '5' })).toEqual([
      { term: { status: 'ACTIVE' } },
      { term: { 'category.keyword': 'lighting' } },
      { terms: { brand: ['B'] } },
      { range: { price: { gte: 5, lte: 5 } } },
    ]);
  });

  it('sorts by relevance, price (cheapest first by default), popularity and newest (most first by default), ties by id', () => {
    const sort = (query: Record<string, string>) => body(query).sort;
    expect(sort({ sort: 'relevance' })).toEqual(['_score', { id: { order: 'asc' } }]);
    expect(sort({ sort: 'relevance', order: 'desc' })).toEqual(['_score', { id: { order: 'asc' } }]);
    expect(sort({ sort: 'price' })).toEqual([{ price: { order: 'asc' } }, { id: { order: 'asc' } }]);
    expect(sort({ sort: 'price', order: 'desc' })).toEqual([{ price: { order: 'desc' } }, { id: { order: 'asc' } }]);
    expect(sort({ sort: 'popularity' })).toEqual([{ popularity: { order: 'desc' } }, { id: { order: 'asc' } }]);
    expect(sort({ sort: 'popularity', order: 'asc' })).toEqual([
      { popularity: { order: 'asc' } },
      { id: { order: 'asc' } },
    ]);
    expect(sort({ sort: 'newest' })).toEqual([{ createdAt: { order: 'desc' } }, { id: { order: 'asc' } }]);
    expect(sort({ sort: 'newest', order: 'asc' })).toEqual([{ createdAt: { order: 'asc' } }, { id: { order: 'asc' } }]);
  });

  it('pages with limit and offset as size and from', () => {
    expect([body({ limit: '7', offset: '21' }).size, body({ limit: '7', offset: '21' }).from]).toEqual([7, 21]);
    expect([body({ limit: '100', offset: '9900' }).size, body({ limit: '100', offset: '9900' }).from]).toEqual([
      100, 9900,
    ]);
  });

  it('relaxes to any word only for a search of several words that found nothing', () => {
    expect(canRelax(parse({ q: 'red cake' }), 'and', 0)).toBe(true);
    expect(canRelax(parse({ q: 'red cake' }), 'and', 3)).toBe(false);
    expect(canRelax(parse({ q: 'red cake' }), 'or', 0)).toBe(false);
    expect(canRelax(parse({ q: 'cake' }), 'and', 0)).toBe(false);
    expect(canRelax(parse({}), 'and', 0)).toBe(false);
  });
});

describe('bad search input', () => {
  it('is refused with the parameter named: limit, offset, sort, order, prices, q length, unknown parameters', () => {
    expect(issuesOf({ limit: '101' })).toEqual([['limit', 'Must be at most 100']]);
    expect(issuesOf({ limit: '0' })).toEqual([['limit', 'Must be at least 1']]);
    expect(issuesOf({ offset: '-1' })).toEqual([['offset', 'Must be a whole number']]);
    expect(issuesOf({ offset: '1.5' })).toEqual([['offset', 'Must be a whole number']]);
    expect(issuesOf({ sort: 'cheapest' })).toEqual([['sort', 'Must be one of relevance, price, popularity, newest']]);
    expect(issuesOf({ order: 'up' })).toEqual([['order', 'Must be one of asc, desc']]);
    expect(issuesOf({ minPrice: 'cheap' })[0]?.[0]).toBe('minPrice');
    expect(issuesOf({ maxPrice: '12.50' })[0]?.[0]).toBe('maxPrice');
    expect(issuesOf({ minPrice: '-5' })[0]?.[0]).toBe('minPrice');
    expect(issuesOf({ minPrice: '2000', maxPrice: '100' })).toEqual([['maxPrice', 'Must not be below minPrice']]);
    expect(issuesOf({ q: 'x'.repeat(201) })).toEqual([['q', 'Must be at most 200 characters']]);
    expect(issuesOf({ q: 'ring\u0007bell' })).toEqual([['q', 'Must not contain control characters or bidi overrides']]);
    expect(issuesOf({ q: 'invoice\u202Efdp' })).toEqual([
      ['q', 'Must not contain control characters or bidi overrides'],
    ]);
    expect(issuesOf({ sort: 'relevance', order: 'asc' })).toEqual([
      ['order', 'Relevance is always best first: use order=desc or leave it out'],
    ]);
    expect(issuesOf({ offset: '9950', limit: '100' })).toEqual([['offset', 'offset + limit must be at most 10000']]);
    expect(issuesOf({ category: 'spaceships' })[0]?.[0]).toBe('category');
    expect(issuesOf({ brand: '<b>' })[0]?.[0]).toBe('brand');
    expect(issuesOf({ page: '2' })).toEqual([['', 'Unknown field: page']]);
  });

  it('accepts every valid combination, with the defaults filled in', () => {
    expect(parse({})).toEqual({ sort: 'relevance', limit: 20, offset: 0 });
    expect(
      parse({
        q: 'x'.repeat(200),
        minPrice: '100',
        maxPrice: '100',
        sort: 'newest',
        order: 'asc',
        limit: '100',
        offset: '9900',
        category: 'clocks',
        brand: 'Acme',
      }),
    ).toMatchObject({
      minPrice: 100,
      maxPrice: 100,
      limit: 100,
      offset: 9900,
    });
  });
});

const hit = (id: string, score: number | null, price = 1250) => ({
  _index: 'products-v1-20260101000000000',
  _id: id,
  _score: score,
  _source: {
    id,
    name: `Name ${id}`,
    description: `About ${id}`,
    category: 'kitchen-dining',
    brand: 'Acme',
    price,
    currency: 'GBP',
    popularity: 4,
    status: 'ACTIVE',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 2,
    suggest: { input: [`Name ${id}`] },
  },
});

const engineAnswer = (hits: ReturnType<typeof hit>[], total: number): EngineSearchResponse =>
  ({
    took: 3,
    timed_out: false,
    hits: { total: { value: total, relation: 'eq' }, max_score: 2.5, hits },
    aggregations: {
      categories: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: 'kitchen-dining', doc_count: total - 1 },
          { key: 'lighting', doc_count: 1 },
        ],
      },
      brands: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: 'Acme', doc_count: total }] },
      price: { count: total, min: 100, max: 2000, avg: 1234.5, sum: 1234.5 * total },
    },
  }) as unknown as EngineSearchResponse;

describe("the engine's answer as API.md's search result", () => {
  it('keeps the hits in order with their score, and facets over the whole result (not the page), prices in whole minor units', () => {
    expect(searchResultsFrom(engineAnswer([hit('p1', 2.5), hit('p2', 1.25)], 9), 'relevance')).toEqual({
      total: 9,
      items: [
        {
          id: 'p1',
          name: 'Name p1',
          description: 'About p1',
          category: 'kitchen-dining',
          brand: 'Acme',
          price: 1250,
          currency: 'GBP',
          popularity: 4,
          score: 2.5,
        },
        {
          id: 'p2',
          name: 'Name p2',
          description: 'About p2',
          category: 'kitchen-dining',
          brand: 'Acme',
          price: 1250,
          currency: 'GBP',
          popularity: 4,
          score: 1.25,
        },
      ],
      facets: {
        categories: [
          { value: 'kitchen-dining', count: 8 },
          { value: 'lighting', count: 1 },
        ],
        brands: [{ value: 'Acme', count: 9 }],
        price: { min: 100, max: 2000, avg: 1235, count: 9 },
      },
    });
  });

  it('has no score when sorted by a field, and no price figures for an empty result', () => {
    const sorted = searchResultsFrom(engineAnswer([hit('p1', null)], 1), 'price');
    expect(sorted.items[0]?.score).toBeNull();
    const empty = searchResultsFrom(
      {
        hits: { total: { value: 0 }, hits: [] },
        aggregations: {
          categories: { buckets: [] },
          brands: { buckets: [] },
          price: { count: 0, min: null, max: null, avg: null },
        },
      },
      'relevance',
    );
    expect(empty).toEqual({
      total: 0,
      items: [],
      facets: { categories: [], brands: [], price: { min: null, max: null, avg: null, count: 0 } },
    });
  });
});

describe('suggestions', () => {
  it('complete a prefix from the completion field, fuzzy from 4 characters, asking for more than needed', () => {
    expect(suggestBody(' cak ', 8)).toEqual({
      size: 0,
      _source: ['id', 'name'],
      suggest: { names: { prefix: 'cak', completion: { field: 'suggest', size: 24, skip_duplicates: false } } },
    });
    expect(suggestBody('cake  st', 20)).toEqual({
      size: 0,
      _source: ['id', 'name'],
      suggest: {
        names: {
          prefix: 'cake st',
          completion: {
            field: 'suggest',
            size: 60,
            skip_duplicates: false,
            fuzzy: { fuzziness: 'AUTO', min_length: 4, transpositions: true },
          },
        },
      },
    });
    expect(suggestBody('cake', 1).suggest.names.completion).toMatchObject({ size: 3, fuzzy: { fuzziness: 'AUTO' } });
  });

  it("are the engine's options in order, one per name whatever its case, at most limit", () => {
    const option = (id: string, name: string, text = name) => ({
      text,
      _index: 'products-v1-x',
      _id: id,
      _score: 1,
      _source: { id, name },
    });
    const answer: EngineSuggestResponse = {
      suggest: {
        names: [
          {
            options: [
              option('p1', 'Red Cake Stand', 'Cake Stand'),
              option('p2', 'Blue Cake Stand', 'Cake Stand'),
              option('p3', 'red cake stand'),
              option('p4', 'Cake Tin'),
            ],
          },
        ],
      },
    };
    expect(suggestionsFrom(answer, 8)).toEqual({
      items: [
        { id: 'p1', name: 'Red Cake Stand' },
        { id: 'p2', name: 'Blue Cake Stand' },
        { id: 'p4', name: 'Cake Tin' },
      ],
    });
    expect(suggestionsFrom(answer, 2).items.map((i) => i.id)).toEqual(['p1', 'p2']);
    expect(suggestionsFrom({ suggest: { names: [{ options: [] }] } }, 8)).toEqual({ items: [] });
  });

  it('refuses a missing or blank prefix, over 200 characters, and a limit over 20; defaults to 8', () => {
    const issues = (query: Record<string, string>) => {
      const result = SuggestQuery.safeParse(query);
      return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
    };
    expect(issues({})).toEqual(['q']);
    expect(issues({ q: '   ' })).toEqual(['q']);
    expect(issues({ q: 'x'.repeat(201) })).toEqual(['q']);
    expect(issues({ q: 'cake', limit: '21' })).toEqual(['limit']);
    expect(issues({ q: 'cake', limit: '0' })).toEqual(['limit']);
    expect(SuggestQuery.parse({ q: 'cake' })).toEqual({ q: 'cake', limit: 8 });
    expect(SuggestQuery.parse({ q: 'name:foo AND (', limit: '20' })).toEqual({ q: 'name:foo AND (', limit: 20 });
  });
});
