/**
 * `multi_match` (types best_fields and most_fields) and `match`, as OpenSearch runs them: the query text is
 * analyzed per field with that field's search analyzer, each field is matched on its own (with `operator`
 * within the field and fuzziness per term, ./text-index.ts) and scaled by its boost (`name^2`); best_fields
 * scores a document by its best field (plus `tie_breaker` times the others), most_fields by their sum.
 * Unmapped fields match nothing, as in OpenSearch.
 */
import {
  expectBoolean,
  expectInteger,
  expectNumber,
  expectObject,
  expectString,
  isObject,
  onlyKeys,
  singleEntry,
  type Json,
  type JsonObject,
} from './dsl';
import { parsingError, SearchError, unsupported } from './errors';
import { editsFor } from './fuzzy';
import type { QueryContext, Scores } from './query-context';
import type { MatchOptions } from './text-index';

const OPTIONS = [
  'query',
  'operator',
  'fuzziness',
  'prefix_length',
  'max_expansions',
  'fuzzy_transpositions',
  'boost',
  'zero_terms_query',
  'lenient',
  '_name',
];

interface FieldWeight {
  path: string;
  boost: number;
}

export function fullTextQuery(kind: 'multi_match' | 'match', body: Json, context: QueryContext): Scores {
  const { options, fields } = kind === 'match' ? matchQuery(body) : multiMatchQuery(body);
  const text = options.query;
  if (typeof text !== 'string' && typeof text !== 'number' && typeof text !== 'boolean')
    throw parsingError(
      `[${kind}] requires query text as a string but found ${text === undefined ? 'none' : 'an object'}`,
    );
  const match = matchOptions(options, kind);
  const type = options.type === undefined ? 'best_fields' : expectString(options.type, `${kind}.type`);
  if (type !== 'best_fields' && type !== 'most_fields') throw unsupported(`[multi_match] of type [${type}]`);
  const tieBreaker =
    type === 'most_fields'
      ? 1
      : options.tie_breaker === undefined
        ? 0
        : expectNumber(options.tie_breaker, 'multi_match.tie_breaker');
  const boost = options.boost === undefined ? 1 : expectNumber(options.boost, `${kind}.boost`);
  const perField: Scores[] = [];
  let anyTerms = false;
  for (const { path, boost: fieldBoost } of fields) {
    const index = fieldIndex(context, path, kind);
    if (!index) continue;
    const terms = index.analyzeQuery(String(text));
    anyTerms ||= terms.length > 0;
    const scores = terms.length ? index.match(terms, match) : new Map<number, number>();
    perField.push(new Map([...scores].map(([key, score]) => [key, score * fieldBoost])));
  }
  if (!anyTerms && options.zero_terms_query === 'all')
    return new Map([...context.index.byKey.keys()].map((key) => [key, boost]));
  return combineFields(perField, tieBreaker, boost);
}

function matchQuery(body: Json): { options: JsonObject; fields: FieldWeight[] } {
  const [path, value] = singleEntry(body, 'match');
  const options = isObject(value) ? value : { query: value };
  onlyKeys(options, 'match', OPTIONS);
  return { options, fields: [{ path, boost: 1 }] };
}

function multiMatchQuery(body: Json): { options: JsonObject; fields: FieldWeight[] } {
  const options = expectObject(body, 'multi_match');
  onlyKeys(options, 'multi_match', [...OPTIONS, 'fields', 'type', 'tie_breaker']);
  if (!Array.isArray(options.fields) || options.fields.length === 0)
    throw unsupported('[multi_match] without an explicit list of [fields]');
  const fields = options.fields.map((field) => {
    const parts = /^([^*^]+)(?:\^(\d+(?:\.\d+)?))?$/.exec(expectString(field, 'multi_match.fields'));
    if (!parts)
      throw unsupported(`[multi_match] field pattern [${String(field)}] (name it exactly, with an optional ^boost)`);
    return { path: parts[1]!, boost: parts[2] === undefined ? 1 : Number(parts[2]) };
  });
  return { options, fields };
}

function matchOptions(options: JsonObject, kind: string): MatchOptions {
  const operator =
    options.operator === undefined ? 'or' : expectString(options.operator, `${kind}.operator`).toLowerCase();
  if (operator !== 'and' && operator !== 'or')
    throw parsingError(`[${kind}] operator must be AND or OR but was [${operator}]`);
  if (options.zero_terms_query !== undefined && !['none', 'all'].includes(String(options.zero_terms_query)))
    throw parsingError(`[${kind}] unsupported zero_terms_query value [${String(options.zero_terms_query)}]`);
  const fuzziness = options.fuzziness;
  editsFor(fuzziness, 0); // validated now, not at the first term
  return {
    operator,
    edits: (length) => editsFor(fuzziness, length),
    prefixLength:
      options.prefix_length === undefined ? 0 : expectInteger(options.prefix_length, `${kind}.prefix_length`),
    maxExpansions:
      options.max_expansions === undefined ? 50 : expectInteger(options.max_expansions, `${kind}.max_expansions`, 1),
    transpositions:
      options.fuzzy_transpositions === undefined
        ? true
        : expectBoolean(options.fuzzy_transpositions, `${kind}.fuzzy_transpositions`),
  };
}

function fieldIndex(context: QueryContext, path: string, kind: string) {
  const field = context.index.field(path);
  if (!field) return undefined;
  const index = context.index.textIndexes.get(path);
  if (!index)
    throw new SearchError(
      400,
      'query_shard_exception',
      `failed to create query: [${kind}] on field [${path}] of type [${field.type}] is not supported by the local search engine (text and keyword fields are)`,
      { index: context.index.name, index_uuid: context.index.metadata.uuid },
    );
  return index;
}

function combineFields(perField: Scores[], tieBreaker: number, boost: number): Scores {
  const result: Scores = new Map();
  const best = new Map<number, number>();
  for (const scores of perField) {
    for (const [key, score] of scores) {
      result.set(key, (result.get(key) ?? 0) + score);
      best.set(key, Math.max(best.get(key) ?? 0, score));
    }
  }
  for (const [key, sum] of result) {
    const top = best.get(key)!;
    result.set(key, (top + tieBreaker * (sum - top)) * boost);
  }
  return result;
}
