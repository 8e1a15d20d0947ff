import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { AuditEvent } from './audit-event';
import type { AuditPublisher } from './audit';
import { kinesisClient } from './kinesis-client';

/**
 * Audit events to the Kinesis audit stream, one JSON line each: the newline makes the S3 archive, which
 * concatenates records (Firehose in AWS, lib/local/firehose locally), a file of JSON lines.
 */
export function kinesisAuditPublisher(streamName: string): AuditPublisher {
  return {
    async publish(event: AuditEvent, signal: AbortSignal) {
      await kinesisClient().send(
        new PutRecordCommand({
          StreamName: streamName,
          PartitionKey: event.eventId,
          Data: Buffer.from(`${JSON.stringify(event)}\n`),
        }),
        { abortSignal: signal },
      );
    },
  };
}
