/**
 * Term-level queries on exact values: `term` and `terms` (keyword values as they are, text fields' indexed tokens,
 * numbers, dates and booleans by value), `range` (numbers, dates with date math, keywords), `exists` and `ids`.
 * `term` on a keyword or text field scores as Lucene's TermQuery (BM25); the others are constant-score, as in
 * OpenSearch. A term on an unmapped field matches nothing.
 */
import { dateValue } from './date-math';
import {
  expectArray,
  expectNumber,
  expectObject,
  isObject,
  onlyKeys,
  singleEntry,
  type Json,
  type JsonObject,
} from './dsl';
import { parsingError, SearchError } from './errors';
import { normalize, type Scalar } from './field-values';
import type { ResolvedField } from './mapping';
import type { QueryContext, Scores } from './query-context';
import { EXACT } from './text-index';

export function termLevelQuery(
  kind: 'term' | 'terms' | 'range' | 'exists' | 'ids',
  body: Json,
  context: QueryContext,
): Scores {
  switch (kind) {
    case 'term':
      return termQuery(body, context);
    case 'terms':
      return termsQuery(body, context);
    case 'range':
      return rangeQuery(body, context);
    case 'exists': {
      const options = expectObject(body, 'exists');
      onlyKeys(options, 'exists', ['field', 'boost', '_name']);
      const path = String(options.field);
      return constantScore(
        context,
        options,
        (document) =>
          document.values.has(path) ||
          (context.index.field(path)?.type === 'completion' && document.source[path] != null),
      );
    }
    case 'ids': {
      const options = expectObject(body, 'ids');
      onlyKeys(options, 'ids', ['values', 'boost', '_name']);
      const ids = new Set(expectArray(options.values, 'ids.values').map(String));
      return constantScore(context, options, (document) => ids.has(document.id));
    }
  }
}

function termQuery(body: Json, context: QueryContext): Scores {
  const [path, value] = singleEntry(body, 'term');
  const options: JsonObject = isObject(value) ? value : { value };
  onlyKeys(options, 'term', ['value', 'boost', '_name']);
  const field = context.index.field(path);
  if (!field || options.value === undefined || options.value === null) {
    if (options.value === undefined || options.value === null) throw parsingError('[term] query requires a value');
    return new Map();
  }
  const boost = options.boost === undefined ? 1 : expectNumber(options.boost, 'term.boost');
  const text = context.index.textIndexes.get(path);
  // Scored as Lucene's TermQuery (BM25) where the score is used; a filter only needs the documents.
  if (text && context.scoring !== false)
    return new Map([...text.match([String(options.value)], EXACT)].map(([key, score]) => [key, score * boost]));
  if (field.type === 'text')
    return constantScore(context, options, (document) => text!.hasTerm(document.key, String(options.value)));
  const wanted = exactValue(field, options.value, context);
  return constantScore(context, options, (document) => (document.values.get(path) ?? []).includes(wanted));
}

function termsQuery(body: Json, context: QueryContext): Scores {
  const options = expectObject(body, 'terms');
  const entries = Object.entries(options).filter(([key]) => key !== 'boost' && key !== '_name');
  if (entries.length !== 1) throw parsingError('[terms] query requires exactly one field');
  const [path, values] = entries[0]!;
  if (!Array.isArray(values))
    throw parsingError(
      `[terms] query on [${path}] requires an array of values (a terms lookup is not supported by the local search engine)`,
    );
  const field = context.index.field(path);
  if (!field) return new Map();
  const wanted = new Set(values.map((value) => exactValue(field, value, context)));
  if (field.type === 'text')
    return constantScore(context, options, (document) =>
      [...wanted].some((token) => context.index.textIndexes.get(path)!.hasTerm(document.key, String(token))),
    );
  return constantScore(context, options, (document) =>
    (document.values.get(path) ?? []).some((value) => wanted.has(value)),
  );
}

function rangeQuery(body: Json, context: QueryContext): Scores {
  const [path, value] = singleEntry(body, 'range');
  const options = expectObject(value, `range.${path}`);
  onlyKeys(options, 'range', ['gte', 'gt', 'lte', 'lt', 'boost', 'format', '_name']);
  if (
    options.format !== undefined &&
    options.format !== 'strict_date_optional_time' &&
    options.format !== 'epoch_millis'
  )
    throw parsingError(`[range] format [${String(options.format)}] is not supported by the local search engine`);
  const field = context.index.field(path);
  if (!field) return new Map();
  if (!['keyword', 'date', 'boolean'].includes(field.type) && !isNumeric(field)) {
    throw new SearchError(
      400,
      'query_shard_exception',
      `failed to create query: [range] on field [${path}] of type [${field.type}] is not supported by the local search engine`,
      { index: context.index.name },
    );
  }
  const bound = (key: string) =>
    options[key] === undefined || options[key] === null ? undefined : exactValue(field, options[key]!, context);
  const [gte, gt, lte, lt] = ['gte', 'gt', 'lte', 'lt'].map(bound);
  const inRange = (v: Scalar) =>
    (gte === undefined || v >= gte) &&
    (gt === undefined || v > gt) &&
    (lte === undefined || v <= lte) &&
    (lt === undefined || v < lt);
  return constantScore(context, options, (document) => (document.values.get(path) ?? []).some(inRange));
}

const isNumeric = (field: ResolvedField) => !['text', 'keyword', 'date', 'boolean', 'completion'].includes(field.type);

/** A query value as the field indexes values; a value the field cannot hold is a 400, as in OpenSearch. */
function exactValue(field: ResolvedField, value: Json, context: QueryContext): Scalar {
  if (field.type === 'completion')
    throw parsingError(`[${field.path}] is a completion field: query it with a completion suggester`);
  const normalized = field.type === 'date' ? dateValue(value, context.now, field.path) : normalize(field.type, value);
  if (normalized === undefined) {
    throw new SearchError(
      400,
      'query_shard_exception',
      `failed to create query: For input string: "${String(value)}" (field [${field.path}] of type [${field.type}])`,
      { index: context.index.name, index_uuid: context.index.metadata.uuid },
    );
  }
  return normalized;
}

function constantScore(
  context: QueryContext,
  options: JsonObject,
  accepts: (document: import('./search-index').StoredDocument) => boolean,
): Scores {
  const boost = options.boost === undefined ? 1 : expectNumber(options.boost, 'boost');
  const result: Scores = new Map();
  for (const document of context.index.byKey.values()) if (accepts(document)) result.set(document.key, boost);
  return result;
}
