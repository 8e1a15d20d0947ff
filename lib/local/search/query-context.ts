/**
 * What every kind of query is evaluated with. Kinds that hold queries of their own (function_score) get the
 * evaluator as `SubQueries` from ./query.ts rather than importing it, so the query modules form no import loop.
 */
import type { Json } from './dsl';
import type { SearchIndex } from './search-index';

/** Matching documents (by internal key) and their scores. */
export type Scores = Map<number, number>;

export interface QueryContext {
  index: SearchIndex;
  /** `now` for date math and decay functions: one instant per request. */
  now: number;
  /** False in filter context (bool.filter, must_not, constant_score, function filters): scores are not used. */
  scoring?: boolean;
}

export const filterContext = (context: QueryContext): QueryContext =>
  context.scoring === false ? context : { ...context, scoring: false };

/** Evaluation of nested queries, handed to the kinds that hold them. */
export interface SubQueries {
  evaluate(query: Json, context: QueryContext): Scores;
  filterKeys(clause: Json, context: QueryContext): Set<number>;
}
