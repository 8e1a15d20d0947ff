/**
 * Aggregations over EVERY document the query matched (not the page): `terms` (buckets by value, `_count` desc
 * then key asc unless `order` says otherwise, `size`, `min_doc_count`, `missing`) and the metrics `stats`, `min`,
 * `max`, `avg`, `sum`, `value_count`. With one local shard the counts are exact: `doc_count_error_upper_bound`
 * is 0 and `sum_other_doc_count` is what the buckets left out, so the buckets and it add up to the documents
 * holding the field. Sub-aggregations and other kinds are refused.
 */
import { expectInteger, expectObject, onlyKeys, singleEntry, type Json, type JsonObject } from './dsl';
import { illegalArgument, parsingError, unsupported } from './errors';
import { normalize, type Scalar } from './field-values';
import type { ResolvedField } from './mapping';
import type { Hit } from './sort';

const METRICS = ['stats', 'min', 'max', 'avg', 'sum', 'value_count'];

export function aggregate(specs: Json, hits: Hit[]): JsonObject {
  const result: JsonObject = {};
  for (const [name, spec] of Object.entries(expectObject(specs, 'aggregations'))) {
    const options = expectObject(spec, `aggregations.${name}`);
    if (options.aggs !== undefined || options.aggregations !== undefined)
      throw unsupported(`A sub-aggregation (in [${name}])`);
    const [kind, body] = singleEntry(
      Object.fromEntries(Object.entries(options).filter(([key]) => key !== 'meta')),
      `aggregations.${name}`,
    );
    if (kind === 'terms') result[name] = termsAggregation(expectObject(body, 'terms'), hits);
    else if (METRICS.includes(kind)) result[name] = metricAggregation(kind, expectObject(body, kind), hits);
    else throw unsupported(`The [${kind}] aggregation`);
    if (options.meta !== undefined) (result[name] as JsonObject).meta = options.meta;
  }
  return result;
}

/** The field an aggregation reads in these hits' indexes; text fields are refused as OpenSearch refuses them. */
function fieldOf(hits: Hit[], path: string, kind: string): ResolvedField | undefined {
  const field = hits.map((hit) => hit.index.field(path)).find((found) => found !== undefined);
  if (field?.type === 'text' || field?.type === 'completion') {
    throw illegalArgument(
      `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${path}] in order to load field data by uninverting the inverted index. (${kind})`,
    );
  }
  return field;
}

function termsAggregation(options: JsonObject, hits: Hit[]): JsonObject {
  onlyKeys(options, 'terms', ['field', 'size', 'min_doc_count', 'order', 'missing', 'shard_size']);
  const path = String(options.field);
  const field = fieldOf(hits, path, 'terms');
  const size = options.size === undefined ? 10 : expectInteger(options.size, 'terms.size', 1);
  const minDocCount =
    options.min_doc_count === undefined ? 1 : expectInteger(options.min_doc_count, 'terms.min_doc_count');
  const missing = options.missing === undefined || !field ? undefined : normalize(field.type, options.missing);
  const counts = new Map<Scalar, number>();
  for (const hit of hits) {
    const values = hit.document.values.get(path) ?? (missing === undefined ? [] : [missing]);
    for (const value of values.length === 1 ? values : new Set(values)) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const order = bucketOrder(options.order);
  const buckets = [...counts].filter(([, count]) => count >= minDocCount).sort(order);
  const shown = buckets.slice(0, size);
  const other = buckets.slice(size).reduce((sum, [, count]) => sum + count, 0);
  return {
    doc_count_error_upper_bound: 0,
    sum_other_doc_count: other,
    buckets: shown.map(([key, count]) => bucketJson(key, count, field)),
  };
}

function bucketOrder(order: Json | undefined): (a: [Scalar, number], b: [Scalar, number]) => number {
  const byKey = (a: [Scalar, number], b: [Scalar, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  if (order === undefined) return (a, b) => b[1] - a[1] || byKey(a, b);
  const [criterion, direction] = singleEntry(
    Array.isArray(order) && order.length === 1 ? order[0] : order,
    'terms.order',
  );
  if (!['_count', '_key'].includes(criterion) || !['asc', 'desc'].includes(String(direction)))
    throw parsingError(
      `[terms] order [${criterion}: ${String(direction)}] is not supported by the local search engine (_count or _key, asc or desc)`,
    );
  const sign = direction === 'asc' ? 1 : -1;
  return criterion === '_key' ? (a, b) => sign * byKey(a, b) : (a, b) => sign * (a[1] - b[1]) || byKey(a, b);
}

function bucketJson(key: Scalar, count: number, field: ResolvedField | undefined): JsonObject {
  if (field?.type === 'date') return { key, key_as_string: new Date(key as number).toISOString(), doc_count: count };
  if (typeof key === 'boolean') return { key: Number(key), key_as_string: String(key), doc_count: count };
  return { key, doc_count: count };
}

function metricAggregation(kind: string, options: JsonObject, hits: Hit[]): JsonObject {
  onlyKeys(options, kind, ['field', 'missing']);
  const path = String(options.field);
  const field = fieldOf(hits, path, kind);
  if (field && (field.type === 'keyword' || field.type === 'boolean') && kind !== 'value_count')
    throw illegalArgument(`Field [${path}] of type [${field.type}] is not supported for aggregation [${kind}]`);
  const missing = options.missing === undefined ? undefined : Number(options.missing);
  const values = hits.flatMap(
    (hit) => hit.document.values.get(path) ?? (missing === undefined ? [] : [missing]),
  ) as number[];
  if (kind === 'value_count') return { value: values.length };
  const sum = values.reduce((a, b) => a + b, 0);
  const stats = {
    count: values.length,
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
    avg: values.length ? sum / values.length : null,
    sum,
  };
  const withStrings = (json: JsonObject) => (field?.type === 'date' ? { ...json, ...datesAsStrings(json) } : json);
  if (kind === 'stats') return withStrings(stats);
  return withStrings({ value: kind === 'sum' ? sum : stats[kind as 'min' | 'max' | 'avg'] });
}

function datesAsStrings(json: JsonObject): JsonObject {
  const strings: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    if (key !== 'count' && key !== 'sum' && typeof value === 'number')
      strings[`${key}_as_string`] = new Date(value).toISOString();
  }
  return strings;
}
