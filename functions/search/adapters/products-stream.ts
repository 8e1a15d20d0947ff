import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  actionForProduct,
  actionForRemoval,
  MalformedProductError,
  parseStoredProduct,
  type IndexAction,
} from '../domain/documents';

/**
 * A products-table stream record → what the index must do: INSERT and MODIFY carry the product as now stored
 * (NewImage), which is indexed when ACTIVE and deleted otherwise; REMOVE deletes it past its last version
 * (OldImage). Every table streams NEW_AND_OLD_IMAGES (lib/contexts/data.ts, lib/local/bootstrap.ts).
 */
export function actionFromStreamRecord(record: DynamoDBRecord): IndexAction {
  const where = `Stream record ${record.eventID ?? '?'}`;
  const image = (raw: unknown, which: string) => {
    if (raw === undefined)
      throw new MalformedProductError(`${where}: no ${which} (the stream must carry new and old images)`);
    try {
      return unmarshall(raw as Record<string, AttributeValue>);
    } catch (cause) {
      throw new MalformedProductError(`${where}: ${which} cannot be unmarshalled`, { cause });
    }
  };
  switch (record.eventName) {
    case 'INSERT':
    case 'MODIFY':
      return actionForProduct(parseStoredProduct(image(record.dynamodb?.NewImage, 'NewImage'), `${where} NewImage`));
    case 'REMOVE':
      return actionForRemoval(parseStoredProduct(image(record.dynamodb?.OldImage, 'OldImage'), `${where} OldImage`));
    default:
      throw new MalformedProductError(`${where}: unknown eventName ${String(record.eventName)}`);
  }
}

export const describeStreamRecord = (record: DynamoDBRecord) =>
  `${record.eventID ?? '?'} (seq ${record.dynamodb?.SequenceNumber ?? '?'})`;
