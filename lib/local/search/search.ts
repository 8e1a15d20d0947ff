/**
 * `_search`: the query over every index the name resolves to, `min_score`, the sort (./sort.ts), the page
 * (`from`/`size`, within `index.max_result_window`), `track_total_hits`, `_source` filtering, aggregations over all
 * matched documents (./aggregations.ts) and completion suggestions (./suggest.ts), answered in OpenSearch's shape.
 * When the sort does not use `_score` (and `track_scores` is not set), hits have `_score: null` and `max_score`
 * is null, as in OpenSearch.
 */
import { aggregate } from './aggregations';
import { expectBoolean, expectInteger, expectNumber, onlyKeys, type Json, type JsonObject } from './dsl';
import { illegalArgument, unsupported } from './errors';
import { evaluate } from './query';
import type { SearchIndex } from './search-index';
import { parseSort, sortHits, sortValuesOf, type Hit } from './sort';
import { sourceFilter } from './source-filter';
import { suggest } from './suggest';

const BODY_KEYS = [
  'query',
  'from',
  'size',
  'sort',
  'aggs',
  'aggregations',
  'track_total_hits',
  '_source',
  'suggest',
  'min_score',
  'timeout',
  'track_scores',
  'version',
];
export const SEARCH_PARAMS = [
  'from',
  'size',
  'track_total_hits',
  '_source',
  '_source_includes',
  '_source_excludes',
  'timeout',
  'track_scores',
  'version',
];
/** OpenSearch's default: counts are exact up to 10,000 hits. */
const DEFAULT_TRACK_TOTAL_HITS = 10_000;

export function search(indexes: SearchIndex[], body: JsonObject, params: URLSearchParams): JsonObject {
  const started = performance.now();
  onlyKeys(body, 'search', BODY_KEYS);
  if (params.has('q')) throw unsupported('A URI search (the [q] parameter)');
  const setting = (name: string): Json | undefined => body[name] ?? params.get(name) ?? undefined;
  const from = setting('from') === undefined ? 0 : expectInteger(setting('from'), 'from');
  const size = setting('size') === undefined ? 10 : expectInteger(setting('size'), 'size');
  const window = Math.min(...indexes.map((index) => index.metadata.settings.maxResultWindow), 10_000);
  if (from + size > window)
    throw illegalArgument(
      `Result window is too large, from + size must be less than or equal to: [${window}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  const sort = parseSort(body.sort, indexes);
  const trackScores =
    setting('track_scores') === undefined ? false : expectBoolean(setting('track_scores'), 'track_scores');
  const scored = !sort || sort.some((key) => key.field === '_score') || trackScores;
  const minScore = body.min_score === undefined ? undefined : expectNumber(body.min_score, 'min_score');
  const now = Date.now();
  const hits: Hit[] = indexes.flatMap((index, indexOrder) =>
    [...evaluate(body.query ?? { match_all: {} }, { index, now })]
      .filter(([, score]) => minScore === undefined || score >= minScore)
      .map(([key, score]) => ({ index, indexOrder, document: index.byKey.get(key)!, score })),
  );
  sortHits(hits, sort);
  const filter = sourceFilter(
    body._source ?? params.get('_source') ?? undefined,
    params.get('_source_includes') ?? undefined,
    params.get('_source_excludes') ?? undefined,
  );
  const withVersion = setting('version') !== undefined && expectBoolean(setting('version'), 'version');
  const page = hits.slice(from, from + size).map((hit) => ({
    _index: hit.index.name,
    _id: hit.document.id,
    ...(withVersion && { _version: hit.document.version }),
    _score: scored ? hit.score : null,
    ...(filter && { _source: filter(hit.document.source) }),
    ...(sort && { sort: sortValuesOf(hit, sort) }),
  }));
  const maxScore = scored && size > 0 && hits.length ? Math.max(...hits.map((hit) => hit.score)) : null;
  const total = totalHits(setting('track_total_hits'), hits.length);
  const aggregations = body.aggs ?? body.aggregations;
  return {
    took: Math.round(performance.now() - started),
    timed_out: false,
    _shards: { total: indexes.length, successful: indexes.length, skipped: 0, failed: 0 },
    hits: { ...(total && { total }), max_score: maxScore, hits: page },
    ...(aggregations !== undefined && { aggregations: aggregate(aggregations, hits) }),
    ...(body.suggest !== undefined && { suggest: suggest(body.suggest as JsonObject, indexes, filter) }),
  } as JsonObject;
}

function totalHits(track: Json | undefined, count: number): JsonObject | undefined {
  const limit =
    track === undefined
      ? DEFAULT_TRACK_TOTAL_HITS
      : track === true || track === 'true'
        ? Infinity
        : track === false || track === 'false'
          ? 0
          : expectInteger(track, 'track_total_hits');
  if (limit === 0) return undefined;
  return count > limit ? { value: limit, relation: 'gte' } : { value: count, relation: 'eq' };
}
