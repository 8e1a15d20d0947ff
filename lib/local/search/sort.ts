/**
 * `sort`: by `_score`, `_doc` or fields (numbers, dates, keywords, booleans), each `asc` or `desc` (fields
 * default to asc, `_score` to desc), a multi-valued field by its min (asc) or max (desc), missing values last
 * (or `_first`). Ties fall back to index order, so every page of a result comes from one total order:
 * pagination never repeats or skips a hit. Text fields cannot be sorted on, as in OpenSearch.
 */
import { expectObject, isObject, onlyKeys, type Json } from './dsl';
import { illegalArgument, parsingError, SearchError } from './errors';
import type { Scalar } from './field-values';
import type { SearchIndex, StoredDocument } from './search-index';

export interface Hit {
  index: SearchIndex;
  /** Position of the index in the request (the tie-breaker across indexes). */
  indexOrder: number;
  document: StoredDocument;
  score: number;
}

export interface SortKey {
  field: string;
  descending: boolean;
  missingFirst: boolean;
}

export function parseSort(value: Json | undefined, indexes: SearchIndex[]): SortKey[] | undefined {
  if (value === undefined) return undefined;
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry) => {
    if (typeof entry === 'string')
      return checkedKey({ field: entry, descending: entry === '_score', missingFirst: false }, indexes);
    const object = expectObject(entry, 'sort');
    const keys = Object.keys(object);
    if (keys.length !== 1) throw parsingError('[sort] each sort entry must name one field');
    const field = keys[0]!;
    const spec = object[field]!;
    const options = isObject(spec) ? spec : { order: spec };
    onlyKeys(options, `sort.${field}`, ['order', 'missing']);
    const order = String(options.order ?? (field === '_score' ? 'desc' : 'asc')).toLowerCase();
    if (order !== 'asc' && order !== 'desc') throw parsingError(`[sort] order must be asc or desc but was [${order}]`);
    const missing = String(options.missing ?? '_last');
    if (missing !== '_last' && missing !== '_first')
      throw parsingError(`[sort] missing [${missing}] is not supported by the local search engine (_last or _first)`);
    return checkedKey({ field, descending: order === 'desc', missingFirst: missing === '_first' }, indexes);
  });
}

function checkedKey(key: SortKey, indexes: SearchIndex[]): SortKey {
  if (key.field === '_score' || key.field === '_doc') return key;
  const fields = indexes.map((index) => index.field(key.field)).filter((field) => field !== undefined);
  if (fields.length === 0)
    throw new SearchError(400, 'query_shard_exception', `No mapping found for [${key.field}] in order to sort on`, {
      index: indexes[0]?.name,
    });
  const unsortable = fields.find((field) => field.type === 'text' || field.type === 'completion');
  if (unsortable)
    throw illegalArgument(
      `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${key.field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
    );
  return key;
}

/** The value a hit sorts by for one key; undefined when the document has none. */
export function sortValue(hit: Hit, key: SortKey): Scalar | undefined {
  if (key.field === '_score') return hit.score;
  if (key.field === '_doc') return hit.document.key;
  const values = hit.document.values.get(key.field);
  if (!values?.length) return undefined;
  return values.reduce((a, b) => ((key.descending ? b > a : b < a) ? b : a));
}

export function sortHits(hits: Hit[], keys: SortKey[] | undefined): void {
  const effective = keys ?? [{ field: '_score', descending: true, missingFirst: false }];
  const cache = new Map<Hit, (Scalar | undefined)[]>(
    hits.map((hit) => [hit, effective.map((key) => sortValue(hit, key))]),
  );
  hits.sort((a, b) => {
    const va = cache.get(a)!;
    const vb = cache.get(b)!;
    for (let i = 0; i < effective.length; i++) {
      const order = compareValues(va[i], vb[i], effective[i]!);
      if (order !== 0) return order;
    }
    return a.indexOrder - b.indexOrder || a.document.key - b.document.key;
  });
}

function compareValues(a: Scalar | undefined, b: Scalar | undefined, key: SortKey): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    return (a === undefined) === key.missingFirst ? -1 : 1;
  }
  if (a === b) return 0;
  return (a < b ? -1 : 1) * (key.descending ? -1 : 1);
}

/** A hit's `sort` values in the response (booleans as 0/1, as OpenSearch; a missing value as null). */
export const sortValuesOf = (hit: Hit, keys: SortKey[]): (Scalar | null)[] =>
  keys.map((key) => {
    const value = sortValue(hit, key);
    return value === undefined ? null : typeof value === 'boolean' ? Number(value) : value;
  });
