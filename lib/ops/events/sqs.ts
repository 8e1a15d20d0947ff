/**
 * An SQS event of one message, as Lambda's SQS event source delivers it. Our queues are the saga's
 * compensation dead-letter queue and the stream consumers' on-failure queues; no function of ours is
 * triggered by a queue (operators read them: npm run redrive), so replay invokes the function --function names.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';

export interface SqsOptions {
  queue?: string;
  body?: string;
  region?: string;
}

export function sqsEvent(options: SqsOptions): SQSEvent {
  const region = options.region ?? 'eu-west-2';
  const queue = options.queue ?? 'order-saga-compensation-dlq';
  // What the saga's CompensationFailed state sends (state-machines/order-saga.asl.json).
  const body =
    options.body ??
    JSON.stringify({
      orderId: randomUUID(),
      failureReason: 'PAYMENT_ERROR',
      error: { Error: 'PaymentGatewayError', Cause: 'The gateway did not answer' },
      compensationError: { Error: 'ReleaseFailedError', Cause: 'The reservation could not be released' },
    });
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: Buffer.from(randomUUID()).toString('base64'),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: '123456789012',
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${region}:123456789012:${queue}`,
        awsRegion: region,
      },
    ],
  };
}
