import type { EventType } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import type { Context } from 'aws-lambda';
import { batchResponse } from '../../shared/batch-response';
import { businessMetrics, logger } from '../../shared/observability';
import type { Warehouse, WarehouseVersion } from '../ports';
import type { BusinessMetrics } from '../../shared/metrics';

/**
 * One stream batch into the warehouse: one load for the whole batch, with per-record failures still reported.
 *
 * 1. Every record is mapped (pure); a record that cannot be mapped is remembered as failed.
 * 2. The rows of all the mapped records go to the warehouse in one idempotent load (insert-if-absent on the
 *    event id, inside the load's transactions): one round trip set per batch, not per record — with the
 *    Redshift Data API each statement is a submit-and-poll of tens of milliseconds or more.
 * 3. If the bulk load failed, the records at fault are found by halving: each half of the failed set is loaded
 *    on its own, and a half that fails is halved again, down to single records. One bad record among 1,000
 *    costs about 20 loads rather than 1,000 (with the Redshift Data API each load is a submit-and-poll round trip,
 *    so loading record by record could not finish inside the function's timeout). Safe because every load is
 *    idempotent (rows a partly committed load already wrote are skipped), and the healthy records are counted
 *    now rather than retried. Powertools' BatchProcessor then walks the records (in order, one at a time) and
 *    reports the failed ones in batchItemFailures.
 *
 * For stream sources Lambda checkpoints at the lowest failed sequence number, so records after a failed one
 * are delivered again: idempotent loads make that harmless. When every record fails, Powertools throws
 * (FullBatchFailureError) and the event source mapping retries, bisecting, then sends the batch to the
 * on-failure destination.
 *
 * 4. When the batch loaded any row, the warehouse version is bumped (deps.version), so the analytics API's
 *    cached answers go stale. A failed bump fails the batch, after the rows are in: the event source mapping
 *    delivers it again, the load finds every row already there, and the bump is tried again. That is also why
 *    the bump follows rows loaded rather than rows inserted: a redelivery inserts nothing, and it must still
 *    bump, since the attempt that inserted may have failed (or timed out) between its load and its bump.
 *    Swallowing the error instead would leave cached answers without the new rows for the cache's lifetime.
 */
export interface StreamLoader<R, Row> {
  eventType: typeof EventType.DynamoDBStreams | typeof EventType.KinesisDataStreams;
  /** Rows for one record (possibly none); throws when the record is malformed. */
  map(record: R): Row[];
  load(warehouse: Warehouse, rows: readonly Row[]): Promise<{ received: number; inserted: number }>;
  describe(record: R): string;
}

export interface StreamEvent<R> {
  Records: R[];
}

export function makeStreamBatchHandler<R, Row>(
  loader: StreamLoader<R, Row>,
  deps: { warehouse: Warehouse; version?: WarehouseVersion; metrics?: BusinessMetrics },
) {
  return async (event: StreamEvent<R>, context: Context): Promise<PartialItemFailureResponse> => {
    const mapped = mapRecords(loader, event.Records);
    const { loadedRows, insertedRows, refused } = await loadBatch(loader, deps.warehouse, event.Records, mapped);
    // Rows new to the warehouse: a redelivered batch loads again but writes nothing, and counts nothing.
    if (insertedRows > 0) (deps.metrics ?? businessMetrics).record('warehouseRowsLoaded', insertedRows);
    const response = await batchResponse(
      event,
      (record: R) => {
        const m = mapped.get(record);
        if (m === undefined) return new Error(`Record ${loader.describe(record)} was not mapped`);
        if ('error' in m) return m.error;
        return refused.get(record);
      },
      { eventType: loader.eventType, context },
    );
    if (deps.version && loadedRows > 0) {
      try {
        await deps.version.bump();
      } catch (cause) {
        throw new Error(
          `${loadedRows} row(s) loaded but the warehouse version was not bumped; failing the batch so that its redelivery bumps it`,
          { cause },
        );
      }
    }
    return response;
  };
}

type Mapped<Row> = { rows: Row[] } | { error: unknown };

/** Step 1: each record's rows, or the error that kept it from being mapped. */
function mapRecords<R, Row>(loader: StreamLoader<R, Row>, records: readonly R[]): Map<R, Mapped<Row>> {
  const mapped = new Map<R, Mapped<Row>>();
  for (const record of records) {
    try {
      mapped.set(record, { rows: loader.map(record) });
    } catch (error) {
      logger.warn('stream record cannot be mapped', { record: loader.describe(record), error: error as Error });
      mapped.set(record, { error });
    }
  }
  return mapped;
}

/**
 * Steps 2 and 3: the rows of every mapped record in one load; when that fails, each half on its own, down to the
 * single records at fault. Returns the rows loaded (already present or new) and the records the warehouse refused.
 */
async function loadBatch<R, Row>(
  loader: StreamLoader<R, Row>,
  warehouse: Warehouse,
  records: readonly R[],
  mapped: Map<R, Mapped<Row>>,
): Promise<{ loadedRows: number; insertedRows: number; refused: Map<R, unknown> }> {
  const rowsOf = (some: readonly R[]) =>
    some.flatMap((r) => {
      const m = mapped.get(r)!;
      return 'rows' in m ? m.rows : [];
    });
  let loadedRows = 0;
  let insertedRows = 0;
  const refused = new Map<R, unknown>();
  const loadOrHalve = async (some: readonly R[], failure?: unknown): Promise<void> => {
    const rows = rowsOf(some);
    if (rows.length === 0) return;
    if (failure === undefined) {
      try {
        insertedRows += (await loader.load(warehouse, rows)).inserted;
        loadedRows += rows.length;
        return;
      } catch (error) {
        failure = error;
      }
    }
    if (some.length === 1) {
      refused.set(some[0], failure);
      return;
    }
    const half = Math.ceil(some.length / 2);
    await loadOrHalve(some.slice(0, half));
    await loadOrHalve(some.slice(half));
  };
  const loadable = records.filter((r) => 'rows' in mapped.get(r)!);
  const rows = rowsOf(loadable);
  if (rows.length === 0) return { loadedRows, insertedRows, refused };
  try {
    const result = await loader.load(warehouse, rows);
    logger.info('batch loaded', { records: records.length, rows: result.received, inserted: result.inserted });
    return { loadedRows: rows.length, insertedRows: result.inserted, refused };
  } catch (error) {
    logger.warn('batch load failed; halving it to find the records at fault', {
      records: records.length,
      error: error as Error,
    });
    await loadOrHalve(loadable, error);
    return { loadedRows, insertedRows, refused };
  }
}
