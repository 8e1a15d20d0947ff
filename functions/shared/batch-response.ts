import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import type { Context } from 'aws-lambda';

/** Powertools' record types: a DynamoDB or Kinesis stream, or an SQS queue. */
export type BatchEventType = (typeof EventType)[keyof typeof EventType];

export interface BatchResponseOptions {
  eventType: BatchEventType;
  context?: Context;
  /**
   * Whether a batch whose every record failed throws (FullBatchFailureError, Powertools' default), so the event
   * source mapping retries it whole, bisects it, then sends it to the on-failure destination; when false every
   * record is reported failed in batchItemFailures instead.
   */
  throwOnFullBatchFailure?: boolean;
}

/**
 * The answer (ReportBatchItemFailures) of a stream consumer that handles its batch as a whole — one `_bulk`, one
 * PutEvents round, one warehouse load — and then knows which records failed: Powertools' BatchProcessor walks the
 * records in order, one at a time, and reports each one `failureOf` names (its error, or undefined when the record
 * went through) in batchItemFailures, identified as the event source mapping expects (sequence number, message id).
 */
export async function batchResponse<R>(
  event: { Records: R[] },
  failureOf: (record: R) => unknown,
  { eventType, context, throwOnFullBatchFailure = true }: BatchResponseOptions,
): Promise<PartialItemFailureResponse> {
  return processPartialResponse(
    event as never,
    // Throwing marks the record failed.
    (record: R) => {
      const failure = failureOf(record);
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
    },
    new BatchProcessor(eventType),
    // One at a time, in order: the processor only reports outcomes decided before it runs.
    { context, processInParallel: false, throwOnFullBatchFailure },
  );
}

export { EventType };
