/**
 * A DynamoDB stream event of one record of one of our tables (NEW_AND_OLD_IMAGES, as every stream of ours is):
 * INSERT carries the new image, REMOVE the old, MODIFY both. Images are plain JSON, marshalled here.
 */
import { randomInt } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { streamedTables } from '../../table-streams';
import { tables, type TableKey } from '../../tables';
import { sampleItems } from './samples';

export const STREAM_EVENT_NAMES = ['INSERT', 'MODIFY', 'REMOVE'] as const;

export interface DynamodbStreamOptions {
  table: string;
  eventName: (typeof STREAM_EVENT_NAMES)[number];
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  region?: string;
}

type Image = Record<string, AttributeValue>;
const image = (item: Record<string, unknown>) =>
  marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Image;

export function dynamodbStreamEvent(options: DynamodbStreamOptions): DynamoDBStreamEvent {
  const key = options.table as TableKey;
  const sample = sampleItems[key];
  if (!streamedTables.includes(key))
    throw new Error(`No stream consumer reads table ${options.table}; tables: ${streamedTables.join(', ')}`);
  if (!sample) throw new Error(`No sample item of table ${options.table} (lib/ops/events/samples.ts)`);
  const spec = tables[key];
  const { eventName } = options;
  const newImage = eventName === 'REMOVE' ? undefined : (options.newImage ?? sample());
  const oldImage = eventName === 'INSERT' ? undefined : (options.oldImage ?? (newImage ? { ...newImage } : sample()));
  const item = (newImage ?? oldImage)!;
  const keyNames = [spec.partitionKey, ...('sortKey' in spec && spec.sortKey ? [spec.sortKey] : [])];
  const missing = keyNames.filter((k) => item[k] === undefined);
  if (missing.length) throw new Error(`The image has no ${missing.join(', ')}: table ${spec.name}'s key`);
  const region = options.region ?? 'eu-west-2';
  const sequence = String(randomInt(1, 2 ** 47)).padStart(21, '0');
  return {
    Records: [
      {
        eventID: sequence,
        eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: region,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: image(Object.fromEntries(keyNames.map((k) => [k, item[k]]))),
          ...(newImage ? { NewImage: image(newImage) } : {}),
          ...(oldImage ? { OldImage: image(oldImage) } : {}),
          SequenceNumber: sequence,
          SizeBytes: JSON.stringify(item).length,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: `arn:aws:dynamodb:${region}:123456789012:table/${spec.name}/stream/2026-01-01T00:00:00.000`,
      },
    ],
  };
}
