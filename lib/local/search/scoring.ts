/**
 * `function_score`, as OpenSearch computes it: each function (`field_value_factor`, the decay functions `gauss`,
 * `exp` and `linear` on numbers and dates, or a bare `weight`), optionally limited by a `filter` and scaled by its
 * `weight`, is combined by `score_mode` (multiply, sum, avg, first, max, min; 1 when no function applies to a
 * document), capped by `max_boost`, and merged with the query's score by `boost_mode` (multiply, replace, sum,
 * avg, max, min); `min_score` drops documents below it.
 */
import { dateValue } from './date-math';
import { expectArray, expectNumber, expectObject, onlyKeys, singleEntry, type Json, type JsonObject } from './dsl';
import { illegalArgument, parsingError, unsupported } from './errors';
import type { QueryContext, Scores, SubQueries } from './query-context';
import type { StoredDocument } from './search-index';
import { parseTimeValue } from './settings';

type ScoreFunction = (document: StoredDocument) => number;

interface WeightedFunction {
  filter?: Set<number>;
  weight: number;
  compute?: ScoreFunction;
}

const FUNCTION_KINDS = ['field_value_factor', 'gauss', 'exp', 'linear'];
const SCORE_MODES = ['multiply', 'sum', 'avg', 'first', 'max', 'min'];
const BOOST_MODES = ['multiply', 'replace', 'sum', 'avg', 'max', 'min'];

export function functionScore(options: JsonObject, context: QueryContext, subQueries: SubQueries): Scores {
  onlyKeys(options, 'function_score', [
    'query',
    'functions',
    'score_mode',
    'boost_mode',
    'max_boost',
    'min_score',
    'boost',
    'weight',
    '_name',
    ...FUNCTION_KINDS,
    'random_score',
    'script_score',
  ]);
  const scoreMode = mode(options.score_mode, SCORE_MODES, 'score_mode', 'multiply');
  const boostMode = mode(options.boost_mode, BOOST_MODES, 'boost_mode', 'multiply');
  const inline = Object.keys(options).filter(
    (key) => FUNCTION_KINDS.includes(key) || key === 'random_score' || key === 'script_score',
  );
  if (options.functions !== undefined && inline.length)
    throw parsingError(
      'failed to parse [function_score] query. already found [functions] array, now encountering [' + inline[0] + '].',
    );
  const specs: Json[] =
    options.functions !== undefined
      ? expectArray(options.functions, 'function_score.functions')
      : inline.length || options.weight !== undefined
        ? [
            {
              ...Object.fromEntries(inline.map((key) => [key, options[key]!])),
              ...(options.weight !== undefined && { weight: options.weight }),
            },
          ]
        : [];
  const functions = specs.map((spec) => parseFunction(spec, context, subQueries));
  const maxBoost =
    options.max_boost === undefined ? Number.MAX_VALUE : expectNumber(options.max_boost, 'function_score.max_boost');
  const minScore =
    options.min_score === undefined ? undefined : expectNumber(options.min_score, 'function_score.min_score');
  const boost = options.boost === undefined ? 1 : expectNumber(options.boost, 'function_score.boost');
  const matched = subQueries.evaluate(options.query ?? { match_all: {} }, context);
  const result: Scores = new Map();
  for (const [key, queryScore] of matched) {
    const document = context.index.byKey.get(key)!;
    const factor = functions.length ? Math.min(maxBoost, combine(functions, document, scoreMode)) : 1;
    const score = boostWith(boostMode, queryScore, factor);
    if (minScore === undefined || score >= minScore) result.set(key, score * boost);
  }
  return result;
}

function mode(value: Json | undefined, allowed: string[], name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (!allowed.includes(String(value)))
    throw parsingError(`[function_score] illegal ${name} [${String(value)}] (supported: ${allowed.join(', ')})`);
  return String(value);
}

function combine(functions: WeightedFunction[], document: StoredDocument, scoreMode: string): number {
  const applying = functions.filter((f) => !f.filter || f.filter.has(document.key));
  if (applying.length === 0) return 1;
  const values = applying.map((f) => (f.compute ? f.compute(document) : 1) * f.weight);
  switch (scoreMode) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / applying.reduce((a, f) => a + f.weight, 0);
    case 'first':
      return values[0]!;
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    default:
      return values.reduce((a, b) => a * b, 1);
  }
}

function boostWith(boostMode: string, query: number, factor: number): number {
  switch (boostMode) {
    case 'replace':
      return factor;
    case 'sum':
      return query + factor;
    case 'avg':
      return (query + factor) / 2;
    case 'max':
      return Math.max(query, factor);
    case 'min':
      return Math.min(query, factor);
    default:
      return query * factor;
  }
}

function parseFunction(spec: Json, context: QueryContext, subQueries: SubQueries): WeightedFunction {
  const options = expectObject(spec, 'function_score.functions');
  onlyKeys(options, 'function_score.functions', [
    'filter',
    'weight',
    ...FUNCTION_KINDS,
    'random_score',
    'script_score',
  ]);
  const kinds = Object.keys(options).filter((key) => key !== 'filter' && key !== 'weight');
  if (kinds.length > 1)
    throw parsingError(`failed to parse [function_score] query: a function has more than one of [${kinds.join(', ')}]`);
  const kind = kinds[0];
  if (kind === 'random_score' || kind === 'script_score') throw unsupported(`The [${kind}] function`);
  const weight = options.weight === undefined ? 1 : expectNumber(options.weight, 'weight');
  const filter = options.filter === undefined ? undefined : subQueries.filterKeys(options.filter, context);
  if (kind === undefined) return { filter, weight };
  return {
    filter,
    weight,
    compute:
      kind === 'field_value_factor'
        ? fieldValueFactor(expectObject(options[kind], kind), context)
        : decay(kind, options[kind]!, context),
  };
}

const MODIFIERS: Record<string, (v: number) => number> = {
  none: (v) => v,
  log: Math.log10,
  log1p: (v) => Math.log10(v + 1),
  log2p: (v) => Math.log10(v + 2),
  ln: Math.log,
  ln1p: (v) => Math.log(v + 1),
  ln2p: (v) => Math.log(v + 2),
  square: (v) => v * v,
  sqrt: Math.sqrt,
  reciprocal: (v) => 1 / v,
};

function fieldValueFactor(options: JsonObject, context: QueryContext): ScoreFunction {
  onlyKeys(options, 'field_value_factor', ['field', 'factor', 'modifier', 'missing']);
  const path = String(options.field);
  const field = context.index.field(path);
  if (field && !['date', 'integer', 'long', 'short', 'byte', 'float', 'double', 'half_float'].includes(field.type))
    throw illegalArgument(`field [${path}] of type [${field.type}] is not numeric: field_value_factor needs a number`);
  const modifier = MODIFIERS[String(options.modifier ?? 'none')];
  if (!modifier) throw parsingError(`[field_value_factor] illegal modifier [${String(options.modifier)}]`);
  const factor = options.factor === undefined ? 1 : expectNumber(options.factor, 'field_value_factor.factor');
  const missing =
    options.missing === undefined ? undefined : expectNumber(options.missing, 'field_value_factor.missing');
  return (document) => {
    const values = document.values.get(path) as number[] | undefined;
    const value = values?.length ? Math.min(...values) : missing;
    if (value === undefined) throw illegalArgument(`Missing value for field [${path}]`);
    const score = modifier(factor * value);
    if (!Number.isFinite(score) || score < 0)
      throw illegalArgument(
        `field value function must not produce negative scores, but got: [${score}] for field value: [${value}]`,
      );
    return score;
  };
}

function decay(kind: string, body: Json, context: QueryContext): ScoreFunction {
  const options = expectObject(body, kind);
  const multiValueMode = String(options.multi_value_mode ?? 'min');
  if (multiValueMode !== 'min') throw unsupported(`[${kind}] multi_value_mode [${multiValueMode}]`);
  const [path, raw] = singleEntry(
    Object.fromEntries(Object.entries(options).filter(([key]) => key !== 'multi_value_mode')),
    kind,
  );
  const params = expectObject(raw, `${kind}.${path}`);
  onlyKeys(params, `${kind}.${path}`, ['origin', 'scale', 'offset', 'decay']);
  const field = context.index.field(path);
  const isDate = field?.type === 'date';
  const distanceOf = (value: Json | undefined, name: string, fallback?: number): number => {
    if (value === undefined && fallback !== undefined) return fallback;
    const number = isDate ? parseTimeValue(value) : typeof value === 'number' ? value : undefined;
    if (number === undefined)
      throw parsingError(
        `[${kind}] [${name}] of [${path}] must be ${isDate ? 'a time value such as 365d' : 'a number'} but was [${String(value)}]`,
      );
    return number;
  };
  const origin = isDate
    ? dateValue(params.origin ?? 'now', context.now, `${kind}.origin`)
    : expectNumber(params.origin, `${kind}.origin`);
  const scale = distanceOf(params.scale, 'scale');
  const offset = distanceOf(params.offset, 'offset', 0);
  const decayAt = params.decay === undefined ? 0.5 : expectNumber(params.decay, `${kind}.decay`);
  if (scale <= 0 || !(decayAt > 0 && decayAt < 1))
    throw illegalArgument(`[${kind}] scale must be positive and decay between 0 and 1 (exclusive)`);
  const curve = decayCurve(kind, scale, decayAt);
  return (document) => {
    const values = document.values.get(path) as number[] | undefined;
    if (!values?.length) return 1;
    return curve(Math.max(0, Math.min(...values.map((value) => Math.abs(value - origin))) - offset));
  };
}

/** OpenSearch's decay curves: each is `decay` at distance `scale` (past the offset). */
function decayCurve(kind: string, scale: number, decayAt: number): (distance: number) => number {
  if (kind === 'gauss') {
    const variance = -(scale * scale) / (2 * Math.log(decayAt));
    return (d) => Math.exp(-(d * d) / (2 * variance));
  }
  if (kind === 'exp') {
    const lambda = Math.log(decayAt) / scale;
    return (d) => Math.exp(lambda * d);
  }
  const s = scale / (1 - decayAt);
  return (d) => Math.max(0, (s - d) / s);
}
