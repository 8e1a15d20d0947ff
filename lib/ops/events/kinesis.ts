/**
 * A Kinesis event of one clickstream record, as POST /v1/events writes it: the event checked by the route's
 * own schema and stamped by its domain (id, time, receipt), JSON, base64 in the record's data.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { KinesisStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { stampEvents } from '../../../functions/analytics/domain/events';
import { ClickEventInput, EVENT_TYPES } from '../../../functions/analytics/schemas';
import { streams } from '../../streams';

export { EVENT_TYPES };

export interface ClickstreamOptions {
  type: string;
  sessionId?: string;
  productId?: string;
  query?: string;
  value?: number;
  region?: string;
}

export function clickstreamEvent(options: ClickstreamOptions): KinesisStreamEvent {
  const { region = 'eu-west-2', ...fields } = options;
  const parsed = z.safeParse(ClickEventInput, { sessionId: randomUUID(), ...withoutUndefined(fields) });
  if (!parsed.success)
    throw new Error(
      `Not a clickstream event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`,
    );
  const [event] = stampEvents([parsed.data], new Date());
  const sequence = String(randomInt(1, 2 ** 47)).padStart(56, '4');
  return {
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: event.sessionId,
          sequenceNumber: sequence,
          data: Buffer.from(JSON.stringify(event)).toString('base64'),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${sequence}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
        awsRegion: region,
        eventSourceARN: `arn:aws:kinesis:${region}:123456789012:stream/${streams.clickstream.name}`,
      },
    ],
  };
}

const withoutUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
