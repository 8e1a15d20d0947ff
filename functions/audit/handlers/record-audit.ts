import type { KinesisStreamEvent, KinesisStreamBatchResponse } from 'aws-lambda';
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
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        events.push(auditEventOf(record));
      } catch (error) {
        logger.error('malformed audit record', { error: error as Error });
        failures.push({ itemIdentifier: record.kinesis.sequenceNumber });
      }
    }
    await deps.trail.record(events);
    return { batchItemFailures: failures };
  };

export const handler = makeHandler(liveAuditDeps());
