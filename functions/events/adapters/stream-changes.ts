import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamChange } from '../domain/publish';

type Image = Record<string, AttributeValue>;

/** A DynamoDB stream record as the change it carries: its kind, both images as plain objects, and when. */
export function changeOf(record: DynamoDBRecord): StreamChange<DynamoDBRecord> {
  const { dynamodb = {} } = record;
  const seconds = dynamodb.ApproximateCreationDateTime ?? Date.now() / 1000;
  return {
    record,
    at: new Date(seconds * 1000).toISOString(),
    change: {
      eventName: record.eventName ?? 'MODIFY',
      oldImage: dynamodb.OldImage ? unmarshall(dynamodb.OldImage as Image) : undefined,
      newImage: dynamodb.NewImage ? unmarshall(dynamodb.NewImage as Image) : undefined,
    },
  };
}
