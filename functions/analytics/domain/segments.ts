import { decodeCursor, encodeCursor } from '../../shared/pagination';
import { invalid, notFound } from '../../shared/errors';
import { InsightsRefusedError, type ModelQueryDeps } from '../ports';
import type { SegmentCustomers, SegmentCustomersQuery, Segments } from '../model-schemas';
import { fromModel } from './model-errors';

export async function listSegments(deps: Pick<ModelQueryDeps, 'model' | 'log'>): Promise<Segments> {
  const answer = await fromModel('segments', () => deps.model.segments(), deps);
  return {
    asOf: answer.asOf,
    items: answer.items.map(({ segment, name, description, customers, valueShare }) => ({
      segment,
      name,
      description,
      customers,
      valueShare,
    })),
  };
}

/**
 * The route's cursor wraps the model's: `{segment, after}`, base64url, checked as every cursor of the API is
 * (functions/shared/pagination.ts) and bound to the segment it pages, so one segment's cursor never pages another.
 */
const CURSOR_KEYS = ['segment', 'after'] as const;

const badCursor = () =>
  invalid('Cursor is not valid', [{ path: 'cursor', message: 'Not a cursor this API issued for this query' }]);

/** A page of a segment's customers, highest spend first: the campaign export. Unknown segment: 404. */
export async function segmentCustomers(
  segment: string,
  query: SegmentCustomersQuery,
  deps: Pick<ModelQueryDeps, 'model' | 'log'>,
): Promise<SegmentCustomers> {
  const after = decodeCursor(query.cursor, CURSOR_KEYS, { segment })?.after;
  let answer;
  try {
    answer = await fromModel(
      'segmentCustomers',
      () => deps.model.segmentCustomers({ segment, limit: query.limit, ...(after ? { cursor: after } : {}) }),
      deps,
    );
  } catch (error) {
    // Only the cursor can be wrong past validation: the model refuses one it never issued.
    if (error instanceof InsightsRefusedError && after) throw badCursor();
    throw error;
  }
  if (!answer.found) throw notFound('Segment');
  const next = answer.nextCursor ? encodeCursor({ segment, after: answer.nextCursor }) : undefined;
  return { items: answer.items, ...(next ? { nextCursor: next } : {}) };
}
