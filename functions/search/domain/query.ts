/**
 * GET /v1/search as OpenSearch's query DSL, and OpenSearch's answer as API.md's shape. Pure: the request body
 * is exactly the subset of the DSL that /work/notes/search-contract.md lists (the local engine implements that
 * subset and nothing else), and the shopper's text only ever becomes the `query` string of a multi_match — never
 * query_string syntax, so `name:foo AND (`, `*` or `\` are words like any other.
 */
import * as z from 'zod/mini';
import type { SearchHit, SearchQuery, SearchResults, SearchSort, SortOrder } from '../schemas';

/** Name matches count twice (stemmed, or word for word for typos the stemmer hides); description and category once. */
export const SEARCH_FIELDS = ['name^2', 'name.plain^2', 'description', 'category'] as const;
/** Facet buckets asked for: every category (15), and the most frequent brands. */
export const FACET_SIZE = 100;

export const DEFAULT_ORDER: Record<SearchSort, SortOrder> = {
  relevance: 'desc',
  price: 'asc',
  popularity: 'desc',
  newest: 'desc',
};
const SORT_FIELD: Record<Exclude<SearchSort, 'relevance'>, string> = {
  price: 'price',
  popularity: 'popularity',
  newest: 'createdAt',
};

/**
 * Relevance is multiplied by popularity and recency: log1p(popularity) — OpenSearch's log1p is log10(1 + x) — plus
 * a freshness that is 1 for the last 30 days and halves over the year after. Summed, so a new product with no
 * sales yet still scores (its freshness) and an old best-seller keeps its popularity.
 */
export const RELEVANCE_BOOST = [
  { field_value_factor: { field: 'popularity', modifier: 'log1p', factor: 1, missing: 0 } },
  { gauss: { createdAt: { origin: 'now', scale: '365d', offset: '30d', decay: 0.5 } } },
] as const;

export type MatchOperator = 'and' | 'or';

type SortClause = '_score' | Record<string, { order: SortOrder }>;

export interface SearchRequestBody {
  track_total_hits: true;
  from: number;
  size: number;
  query: {
    function_score: {
      query: { bool: { must: Record<string, unknown>[]; filter: Record<string, unknown>[] } };
      functions: typeof RELEVANCE_BOOST;
      score_mode: 'sum';
      boost_mode: 'multiply';
    };
  };
  sort: SortClause[];
  aggs: {
    categories: { terms: { field: 'category.keyword'; size: number } };
    brands: { terms: { field: 'brand'; size: number } };
    price: { stats: { field: 'price' } };
  };
}

/** The shopper's words with runs of white space made one space; undefined when there are none. */
export function searchText(q: string | undefined): string | undefined {
  const text = q?.replace(/\s+/gu, ' ').trim();
  return text ? text : undefined;
}

/** Only ACTIVE products are ever indexed; the filter says so again, so a stray document can never show. */
export function filtersOf(
  input: Pick<SearchQuery, 'category' | 'brand' | 'minPrice' | 'maxPrice'>,
): Record<string, unknown>[] {
  const filters: Record<string, unknown>[] = [{ term: { status: 'ACTIVE' } }];
  if (input.category !== undefined) filters.push({ term: { 'category.keyword': input.category } });
  if (input.brand !== undefined) filters.push({ terms: { brand: [input.brand] } });
  if (input.minPrice !== undefined || input.maxPrice !== undefined) {
    filters.push({
      range: {
        price: {
          ...(input.minPrice !== undefined ? { gte: input.minPrice } : {}),
          ...(input.maxPrice !== undefined ? { lte: input.maxPrice } : {}),
        },
      },
    });
  }
  return filters;
}

/** The sort, always ending on the id so that equal values page in a stable order (no repeats, no gaps). */
export function sortOf(sort: SearchSort, order: SortOrder | undefined): SortClause[] {
  const tieBreak: SortClause = { id: { order: 'asc' } };
  if (sort === 'relevance') return ['_score', tieBreak];
  return [{ [SORT_FIELD[sort]]: { order: order ?? DEFAULT_ORDER[sort] } }, tieBreak];
}

/**
 * The search body for a validated query. `operator` is how the words combine: `and` (every word, in one field)
 * first; the caller relaxes to `or` when that finds nothing.
 */
export function searchBody(input: SearchQuery, operator: MatchOperator = 'and'): SearchRequestBody {
  const text = searchText(input.q);
  const must = text
    ? [{ multi_match: { query: text, fields: [...SEARCH_FIELDS], type: 'best_fields', fuzziness: 'AUTO', operator } }]
    : [{ match_all: {} }];
  return {
    track_total_hits: true,
    from: input.offset,
    size: input.limit,
    query: {
      function_score: {
        query: { bool: { must, filter: filtersOf(input) } },
        functions: RELEVANCE_BOOST,
        score_mode: 'sum',
        boost_mode: 'multiply',
      },
    },
    sort: sortOf(input.sort, input.order),
    aggs: {
      categories: { terms: { field: 'category.keyword', size: FACET_SIZE } },
      brands: { terms: { field: 'brand', size: FACET_SIZE } },
      price: { stats: { field: 'price' } },
    },
  };
}

/** Whether a search that found nothing with every word may try again with any word. */
export const canRelax = (input: SearchQuery, operator: MatchOperator, total: number) =>
  operator === 'and' && total === 0 && (searchText(input.q)?.split(' ').length ?? 0) > 1;

// ---------------------------------------------------------------------------------------------------------
// The engine's answer. Only what is read is checked; an answer without it is a broken dependency.

const Bucket = z.object({ key: z.union([z.string(), z.number()]), doc_count: z.number() });
const Terms = z.object({ buckets: z.array(Bucket) });
const nullableNumber = z.optional(z.nullable(z.number()));

export const ProductSource = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  brand: z.string(),
  price: z.number(),
  currency: z.string(),
  popularity: z.optional(z.number()),
});

export const EngineSearchResponse = z.object({
  hits: z.object({
    total: z.object({ value: z.number(), relation: z.optional(z.string()) }),
    hits: z.array(z.object({ _id: z.string(), _score: nullableNumber, _source: ProductSource })),
  }),
  aggregations: z.object({
    categories: Terms,
    brands: Terms,
    price: z.object({ count: z.number(), min: nullableNumber, max: nullableNumber, avg: nullableNumber }),
  }),
});
export type EngineSearchResponse = z.infer<typeof EngineSearchResponse>;

const facet = (terms: z.infer<typeof Terms>) =>
  terms.buckets.map((b) => ({ value: String(b.key), count: b.doc_count }));
const wholeOrNull = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.round(n));

/** API.md's search result from the engine's answer: hits in order, facets over the whole filtered result. */
export function searchResultsFrom(response: EngineSearchResponse, sort: SearchSort): SearchResults {
  const items = response.hits.hits.map(({ _source: p, _score }): SearchHit => ({
    id: p.id,
    name: p.name,
    description: p.description,
    category: p.category,
    brand: p.brand,
    price: p.price,
    currency: p.currency,
    popularity: p.popularity ?? 0,
    score: sort === 'relevance' && typeof _score === 'number' ? _score : null,
  }));
  const { price } = response.aggregations;
  return {
    total: response.hits.total.value,
    items,
    facets: {
      categories: facet(response.aggregations.categories),
      brands: facet(response.aggregations.brands),
      price:
        price.count > 0
          ? {
              min: wholeOrNull(price.min),
              max: wholeOrNull(price.max),
              avg: wholeOrNull(price.avg),
              count: price.count,
            }
          : { min: null, max: null, avg: null, count: 0 },
    },
  };
}
