/**
 * The query DSL the engine evaluates, with OpenSearch's matching and scoring: `bool` (must, filter, should,
 * must_not, minimum_should_match), `match_all`, `match_none`, `constant_score`, `function_score`
 * (./scoring.ts), full-text `multi_match` and `match` (./full-text.ts), and `term`, `terms`, `range`, `exists`,
 * `ids` (./term-level.ts). A query of any other kind is refused with OpenSearch's `parsing_exception`: the
 * engine never answers a query it does not understand.
 */
import { expectNumber, expectObject, isObject, onlyKeys, singleEntry, type Json } from './dsl';
import { parsingError, unsupported } from './errors';
import { fullTextQuery } from './full-text';
import { filterContext, type QueryContext, type Scores } from './query-context';
import { functionScore } from './scoring';
import { termLevelQuery } from './term-level';

/** Queries OpenSearch has that the local engine does not: named in the refusal. */
const UNSUPPORTED = new Set([
  'query_string',
  'simple_query_string',
  'match_phrase',
  'match_phrase_prefix',
  'match_bool_prefix',
  'combined_fields',
  'prefix',
  'wildcard',
  'regexp',
  'fuzzy',
  'nested',
  'has_child',
  'has_parent',
  'geo_distance',
  'geo_bounding_box',
  'script',
  'script_score',
  'more_like_this',
  'dis_max',
  'boosting',
  'intervals',
  'knn',
  'neural',
  'hybrid',
  'terms_set',
  'span_term',
  'distance_feature',
  'rank_feature',
  'wrapper',
  'percolate',
  'pinned',
]);

export function evaluate(query: Json, context: QueryContext): Scores {
  const [kind, body] = singleEntry(query, 'query');
  switch (kind) {
    case 'match_all':
    case 'match_none': {
      const options = expectObject(body, kind);
      onlyKeys(options, kind, ['boost', '_name']);
      const boost = options.boost === undefined ? 1 : expectNumber(options.boost, `${kind}.boost`);
      return kind === 'match_none' ? new Map() : new Map([...context.index.byKey.keys()].map((key) => [key, boost]));
    }
    case 'bool':
      return boolQuery(body, context);
    case 'constant_score': {
      const options = expectObject(body, kind);
      onlyKeys(options, kind, ['filter', 'boost', '_name']);
      const boost = options.boost === undefined ? 1 : expectNumber(options.boost, 'constant_score.boost');
      return new Map([...evaluate(options.filter ?? null, filterContext(context)).keys()].map((key) => [key, boost]));
    }
    case 'function_score':
      return functionScore(expectObject(body, kind), context, { evaluate, filterKeys });
    case 'multi_match':
    case 'match':
      return fullTextQuery(kind, body, context);
    case 'term':
    case 'terms':
    case 'range':
    case 'exists':
    case 'ids':
      return termLevelQuery(kind, body, context);
    default:
      throw UNSUPPORTED.has(kind) ? unsupported(`The [${kind}] query`) : parsingError(`unknown query [${kind}]`);
  }
}

const clauses = (value: Json | undefined, where: string): Json[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [expectObject(value, where)];

function boolQuery(body: Json, context: QueryContext): Scores {
  const options = expectObject(body, 'bool');
  onlyKeys(options, 'bool', ['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name']);
  const must = clauses(options.must, 'bool.must').map((clause) => evaluate(clause, context));
  const filter = clauses(options.filter, 'bool.filter').map((clause) => evaluate(clause, filterContext(context)));
  const should = clauses(options.should, 'bool.should').map((clause) => evaluate(clause, context));
  const mustNot = clauses(options.must_not, 'bool.must_not').map((clause) => evaluate(clause, filterContext(context)));
  const boost = options.boost === undefined ? 1 : expectNumber(options.boost, 'bool.boost');
  const required = minimumShouldMatch(options.minimum_should_match, should.length, must.length + filter.length === 0);
  if (must.length + filter.length + should.length + mustNot.length === 0)
    return new Map([...context.index.byKey.keys()].map((key) => [key, boost]));
  const candidates =
    must[0] ??
    filter[0] ??
    (should.length ? unionKeys(should) : new Map([...context.index.byKey.keys()].map((key) => [key, 0])));
  const result: Scores = new Map();
  for (const key of candidates.keys()) {
    if (
      !must.every((scores) => scores.has(key)) ||
      !filter.every((scores) => scores.has(key)) ||
      mustNot.some((scores) => scores.has(key))
    )
      continue;
    const matchedShould = should.filter((scores) => scores.has(key));
    if (matchedShould.length < required) continue;
    const score = [...must, ...matchedShould].reduce((sum, scores) => sum + scores.get(key)!, 0);
    result.set(key, score * boost);
  }
  return result;
}

function unionKeys(all: Scores[]): Scores {
  const union: Scores = new Map();
  for (const scores of all) for (const key of scores.keys()) union.set(key, 0);
  return union;
}

/** How many `should` clauses a document must match: an integer, a negative one, or a percentage of them. */
function minimumShouldMatch(value: Json | undefined, shouldCount: number, onlyShould: boolean): number {
  if (value === undefined) return shouldCount > 0 && onlyShould ? 1 : 0;
  const text = String(value).trim();
  const match = /^(-?\d+)(%?)$/.exec(text);
  if (!match || isObject(value) || Array.isArray(value))
    throw parsingError(
      `[bool] minimum_should_match [${text}] is not supported by the local search engine (an integer or a percentage)`,
    );
  const n = Number(match[1]);
  const count = match[2] ? Math.trunc((shouldCount * Math.abs(n)) / 100) : Math.abs(n);
  const required = n < 0 ? shouldCount - count : count;
  // More than there are matches nothing, as in Lucene; without should clauses there is nothing to require.
  return shouldCount === 0 ? 0 : Math.max(0, required);
}

/** The documents a list of filter clauses lets through (for function filters and aggregation filters). */
export function filterKeys(clause: Json, context: QueryContext): Set<number> {
  return new Set(evaluate(clause, filterContext(context)).keys());
}
