import * as z from 'zod/mini';
import { Category } from '../catalog/schemas';
import { Limit, queryInt, text } from '../shared/schemas';

export const SEARCH_SORTS = ['relevance', 'price', 'popularity', 'newest'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const MAX_QUERY_LENGTH = 200;
/**
 * OpenSearch answers at most `index.max_result_window` (10,000) hits into a result: `offset + limit` past it
 * is refused here, with a clear message, rather than by the engine with an error.
 */
export const MAX_RESULT_WINDOW = 10_000;
export const MAX_SUGGESTIONS = 20;
export const DEFAULT_SUGGESTIONS = 8;
/** The highest price a product may have (shared/schemas MinorUnits). */
const MAX_PRICE = 100_000_000_00;

/**
 * Free text a shopper types. Anything printable is a word to search for — `name:foo AND (`, `*`, `\`, JSON,
 * `<script>` — because it only ever reaches the engine as the text of a match query, never as query syntax.
 * Control characters and bidi overrides are refused, as in every text field.
 */
const SearchText = (max: number) =>
  z.string().check(
    z.trim(),
    z.maxLength(max, `Must be at most ${max} characters`),
    z.refine((s) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s), {
      message: 'Must not contain control characters or bidi overrides',
    }),
  );

/** A price bound in the query string: whole minor units, optional. */
const PriceBound = (description: string) =>
  z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,11}$/, 'Must be a whole number of minor units (pence), e.g. 1999')),
      z.pipe(
        z.transform((s: string) => Number(s)),
        z.number().check(z.maximum(MAX_PRICE, `Must be at most ${MAX_PRICE}`), z.describe(description)),
      ),
    ),
  );

export const SearchQuery = z
  .strictObject({
    q: z.optional(
      SearchText(MAX_QUERY_LENGTH).check(
        z.describe(
          'Words to find in the name (counted twice), description and category, typos tolerated. Never query syntax: every ' +
            'character is text. Absent or empty: browse the products the filters select.',
        ),
      ),
    ),
    category: z.optional(Category),
    brand: z.optional(text(100).check(z.describe('Exactly this brand'))),
    minPrice: PriceBound('Lowest price, inclusive, in minor units'),
    maxPrice: PriceBound('Highest price, inclusive, in minor units; not below minPrice'),
    sort: z
      ._default(z.enum(SEARCH_SORTS), 'relevance')
      .check(
        z.describe(
          'relevance (best match, boosted by popularity and recency), price, popularity or newest (createdAt)',
        ),
      ),
    order: z.optional(
      z
        .enum(SORT_ORDERS)
        .check(z.describe('Default: asc for price, desc otherwise. Relevance is always best first: asc is refused')),
    ),
    limit: Limit,
    offset: queryInt(0, MAX_RESULT_WINDOW - 1, 0),
  })
  .check(
    z.refine((s) => s.minPrice === undefined || s.maxPrice === undefined || s.maxPrice >= s.minPrice, {
      message: 'Must not be below minPrice',
      path: ['maxPrice'],
    }),
    z.refine((s) => s.offset + s.limit <= MAX_RESULT_WINDOW, {
      message: `offset + limit must be at most ${MAX_RESULT_WINDOW}`,
      path: ['offset'],
    }),
    z.refine((s) => !(s.sort === 'relevance' && s.order === 'asc'), {
      message: 'Relevance is always best first: use order=desc or leave it out',
      path: ['order'],
    }),
  );
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SuggestQuery = z.strictObject({
  q: SearchText(MAX_QUERY_LENGTH).check(
    z.minLength(1, 'Must not be empty'),
    z.describe('The start of a product name (or of a word of it) as typed; typos tolerated from 4 characters'),
  ),
  limit: queryInt(1, MAX_SUGGESTIONS, DEFAULT_SUGGESTIONS),
});
export type SuggestQuery = z.infer<typeof SuggestQuery>;

const count = z.int().check(z.minimum(0));
const FacetValue = z.object({ value: z.string(), count });

export const SearchHit = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  brand: z.string(),
  price: z.int(),
  currency: z.string(),
  popularity: z.number(),
  score: z.nullable(
    z
      .number()
      .check(z.describe('Relevance (with its popularity and recency boost); null when sorted by another field')),
  ),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResults = z.object({
  total: count.check(
    z.describe('Every product the query and filters select (the page is `limit` of them from `offset`)'),
  ),
  items: z.array(SearchHit),
  facets: z.object({
    categories: z
      .array(FacetValue)
      .check(z.describe('Over the whole result, not the page: the counts add up to total')),
    brands: z
      .array(FacetValue)
      .check(z.describe('Over the whole result: the 100 most frequent brands, most frequent first')),
    price: z.object({
      min: z.nullable(z.int()),
      max: z.nullable(z.int()),
      avg: z.nullable(z.int().check(z.describe('Rounded to whole minor units'))),
      count,
    }),
  }),
});
export type SearchResults = z.infer<typeof SearchResults>;

export const Suggestions = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type Suggestions = z.infer<typeof Suggestions>;
