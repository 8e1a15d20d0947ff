/**
 * One stream batch into the index: every record mapped to its action (pure), all of them written in one `_bulk`,
 * and each record's outcome told apart, so that only the records at fault are reported failed (the event source
 * mapping then retries from the first of them, bisecting, and finally sends them to the on-failure queue).
 *
 * A version conflict is a success: the index already holds that version of the product or a newer one — a
 * duplicate delivery, or an older image arriving after a newer one — and the newer state is the one to keep.
 * A record that is not a product fails alone. A bulk request that fails as a whole fails every record.
 */
import type { ActionOutcome, ProductIndexWriter } from '../ports';
import type { IndexAction } from './documents';

export interface BatchIndexSummary {
  actions: number;
  indexed: number;
  deleted: number;
  stale: number;
  failed: number;
}

/** The error of each record that failed; a record absent from the map was written (or was already there). */
export async function indexRecords<R>(
  records: readonly R[],
  toAction: (record: R) => IndexAction,
  writer: ProductIndexWriter,
): Promise<{ failures: Map<R, Error>; summary: BatchIndexSummary }> {
  const failures = new Map<R, Error>();
  const mapped: { record: R; action: IndexAction }[] = [];
  for (const record of records) {
    try {
      mapped.push({ record, action: toAction(record) });
    } catch (error) {
      failures.set(record, error as Error);
    }
  }
  const summary: BatchIndexSummary = {
    actions: mapped.length,
    indexed: 0,
    deleted: 0,
    stale: 0,
    failed: failures.size,
  };
  if (mapped.length === 0) return { failures, summary };
  let outcomes: ActionOutcome[];
  try {
    outcomes = await writer.bulk(mapped.map((m) => m.action));
  } catch (error) {
    for (const { record } of mapped) failures.set(record, error as Error);
    summary.failed = failures.size;
    return { failures, summary };
  }
  outcomes.forEach((outcome, i) => {
    const { record, action } = mapped[i]!;
    if (outcome.status === 'failed')
      failures.set(record, new Error(`${action.kind} ${action.id} v${action.version}: ${outcome.reason}`));
    else if (outcome.status === 'stale') summary.stale++;
    else if (action.kind === 'index') summary.indexed++;
    else summary.deleted++;
  });
  summary.failed = failures.size;
  return { failures, summary };
}
