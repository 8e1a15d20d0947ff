import type { KinesisStreamEvent, KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { batchResponse, EventType } from '../../shared/batch-response';
import { logger } from '../../shared/observability';
import type { AuditEvent } from '../../shared/audit-event';
import { auditEventOf } from '../adapters/audit-stream-records';
import { liveAuditDeps } from '../deps';
import type { AuditTrail } from '../ports';

/**
 * The audit stream → the queryable trail (the audit table). Idempotent: an event's item is keyed by its eventId, so
 * a retried or redelivered batch writes the same items again. A record that is not an audit event is reported as
 * failed (ReportBatchItemFailures), so after its retries it waits in the on-failure queue instead of vanishing.
 */
export const makeHandler =
  (deps: { trail: AuditTrail }) =>
  async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const events: AuditEvent[] = [];
    const failures = new Map<KinesisStreamRecord, unknown>();
    for (const record of event.Records) {
      try {
        events.push(auditEventOf(record));
      } catch (error) {
        logger.error('malformed audit record', { error: error as Error });
        failures.set(record, error);
      }
    }
    await deps.trail.record(events);
    // A batch of nothing but malformed records is reported record by record, not retried whole: retrying cannot mend them.
    return batchResponse(event, (record) => failures.get(record), {
      eventType: EventType.KinesisDataStreams,
      throwOnFullBatchFailure: false,
    });
  };

export const handler = makeHandler(liveAuditDeps());
