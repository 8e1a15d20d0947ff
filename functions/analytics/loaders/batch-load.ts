import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import type { Context } from 'aws-lambda';
import { logger } from '../../shared/observability';
import type { WarehouseVersion } from '../adapters/warehouse-version';
import type { Warehouse } from '../warehouse/port';

/**
 * One stream batch into the warehouse: one load for the whole batch, with per-record failures still reported.
 *
 * 1. Every record is mapped (pure); a record that cannot be mapped is remembered as failed.
 * 2. The rows of all the mapped records go to the warehouse in one idempotent load (insert-if-absent on the
 *    event id, inside the load's transactions): one round trip set per batch, not per record — with the
 *    Redshift Data API each statement is a submit-and-poll of tens of milliseconds or more.
 * 3. Powertools' BatchProcessor then walks the records (in order, one at a time) and reports the failed ones in
 *    batchItemFailures. If the bulk load failed, each record's own rows are loaded again, on their own, to find
 *    the record at fault: safe because every load is idempotent (rows a partly committed bulk load already
 *    wrote are skipped), and the healthy records are counted now rather than retried.
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

export function makeStreamBatchHandler<R, Row>(loader: StreamLoader<R, Row>, deps: { warehouse: Warehouse; version?: WarehouseVersion }) {
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
    const rows = [...mapped.values()].flatMap((m) => ('rows' in m ? m.rows : []));
    let loaded = true;
    /** Rows of the records loaded so far (already present or new). */
    let loadedRows = 0;
    if (rows.length > 0) {
      try {
        const result = await loader.load(deps.warehouse, rows);
        loadedRows = rows.length;
        logger.info('batch loaded', { records: event.Records.length, rows: result.received, inserted: result.inserted });
      } catch (error) {
        loaded = false;
        logger.warn('batch load failed; loading record by record', { records: event.Records.length, error: error as Error });
      }
    }
    const processor = new BatchProcessor(loader.eventType);
    const response = await processPartialResponse(
      event as never,
      async (record: R) => {
        const m = mapped.get(record);
        if (m === undefined) throw new Error(`Record ${loader.describe(record)} was not mapped`);
        if ('error' in m) throw m.error;
        if (!loaded && m.rows.length > 0) {
          await loader.load(deps.warehouse, m.rows);
          loadedRows += m.rows.length;
        }
      },
      processor,
      // One at a time: concurrent loads into the same table conflict under Redshift's serializable isolation.
      { context, processInParallel: false },
    );
    if (deps.version && loadedRows > 0) {
      try {
        await deps.version.bump();
      } catch (cause) {
        throw new Error(`${loadedRows} row(s) loaded but the warehouse version was not bumped; failing the batch so that its redelivery bumps it`, { cause });
      }
    }
    return response;
  };
}
