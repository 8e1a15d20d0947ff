import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import type { Context } from 'aws-lambda';
import { logger } from '../../shared/observability';
import type { Warehouse, WarehouseVersion } from '../ports';

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
  deps: { warehouse: Warehouse; version?: WarehouseVersion },
) {
  return async (event: StreamEvent<R>, context: Context): Promise<PartialItemFailureResponse> => {
    const mapped = new Map<R, { rows: Row[] } | { error: unknown }>();
    for (const record of event.Records) {
      try {
        mapped.set(record, { rows: loader.map(record) });
      } catch (error) {
        logger.warn('stream record cannot be mapped', { record: loader.describe(record), error: error as Error });
        mapped.set(record, { error });
      }
    }
    const rowsOf = (records: readonly R[]) =>
      records.flatMap((r) => {
        const m = mapped.get(r)!;
        return 'rows' in m ? m.rows : [];
      });
    /** Rows of the records loaded so far (already present or new). */
    let loadedRows = 0;
    /** Records whose rows the warehouse refused, with its error. */
    const refused = new Map<R, unknown>();
    const loadable = event.Records.filter((r) => 'rows' in mapped.get(r)!);
    /** Loads the records' rows; when that fails, each half on its own, down to the single records at fault. */
    const loadOrHalve = async (records: readonly R[], failure?: unknown): Promise<void> => {
      const rows = rowsOf(records);
      if (rows.length === 0) return;
      if (failure === undefined) {
        try {
          await loader.load(deps.warehouse, rows);
          loadedRows += rows.length;
          return;
        } catch (error) {
          failure = error;
        }
      }
      if (records.length === 1) {
        refused.set(records[0]!, failure);
        return;
      }
      const half = Math.ceil(records.length / 2);
      await loadOrHalve(records.slice(0, half));
      await loadOrHalve(records.slice(half));
    };
    const rows = rowsOf(loadable);
    if (rows.length > 0) {
      try {
        const result = await loader.load(deps.warehouse, rows);
        loadedRows = rows.length;
        logger.info('batch loaded', {
          records: event.Records.length,
          rows: result.received,
          inserted: result.inserted,
        });
      } catch (error) {
        logger.warn('batch load failed; halving it to find the records at fault', {
          records: event.Records.length,
          error: error as Error,
        });
        await loadOrHalve(loadable, error);
      }
    }
    const processor = new BatchProcessor(loader.eventType);
    const response = await processPartialResponse(
      event as never,
      async (record: R) => {
        const m = mapped.get(record);
        if (m === undefined) throw new Error(`Record ${loader.describe(record)} was not mapped`);
        if ('error' in m) throw m.error;
        if (refused.has(record)) throw refused.get(record);
      },
      processor,
      // One at a time: concurrent loads into the same table conflict under Redshift's serializable isolation.
      { context, processInParallel: false },
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
