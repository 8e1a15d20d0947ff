/**
 * The on-failure destination: when retries are exhausted (or records expire), a failure record shaped like
 * Lambda's (requestContext, responseContext, version, timestamp, DDBStreamBatchInfo | KinesisBatchInfo) goes to
 * an SQS queue and the records are skipped; without a destination they are discarded.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { backoff, sleep } from './sleep';
import type { SourceRecord } from './sources';
import type { MappingContext } from './types';

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export class FailureDestination {
  private readonly sqs: SQSClient | undefined;

  constructor(private readonly ctx: MappingContext) {
    const { options } = ctx;
    const region = options.region ?? 'eu-west-2';
    const credentials = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
    this.sqs = options.onFailure
      ? new SQSClient({
          region,
          credentials,
          ...(options.onFailure.endpoint ? { endpoint: options.onFailure.endpoint } : {}),
        })
      : undefined;
  }

  /** Resolves once the records are sent on (or discarded); throws only when the mapping stops first. */
  async send(
    shardId: string,
    records: SourceRecord[],
    attempts: number,
    unhandled: boolean,
    condition: FailureCondition = 'RetryAttemptsExhausted',
  ) {
    const { stats, options } = this.ctx;
    if (!this.sqs || !options.onFailure) {
      stats.recordsDiscarded += records.length;
      return;
    }
    const message = this.failureRecord(shardId, records, attempts, unhandled, condition);
    // The records are skipped only once the failure record is safely in the queue.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sqs.send(
          new SendMessageCommand({ QueueUrl: options.onFailure.queueUrl, MessageBody: JSON.stringify(message) }),
        );
        stats.destinationMessages++;
        stats.recordsToDestination += records.length;
        return;
      } catch (e) {
        this.ctx.report(e, 'sending to the on-failure destination');
        if (this.ctx.stopping.aborted) throw e;
        await sleep(
          backoff(this.ctx.settings.retryDelayMs, attempt, this.ctx.settings.maxRetryDelayMs),
          this.ctx.stopping,
        );
      }
    }
  }

  destroy() {
    this.sqs?.destroy();
  }

  private failureRecord(
    shardId: string,
    records: SourceRecord[],
    attempts: number,
    unhandled: boolean,
    condition: FailureCondition,
  ) {
    const { source, settings } = this.ctx;
    const first = records[0]!;
    const last = records[records.length - 1]!;
    return {
      requestContext: {
        requestId: randomUUID(),
        functionArn: settings.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(unhandled ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      [source.batchInfoKey]: {
        shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: first.arrival.toISOString(),
        approximateArrivalOfLastRecord: last.arrival.toISOString(),
        batchSize: records.length,
        streamArn: source.arn,
      },
    };
  }
}
