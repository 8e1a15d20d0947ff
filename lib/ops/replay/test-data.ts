/**
 * A stream fixture, marked as test data before a consumer sees it (functions/shared/test-data.ts):
 * every DynamoDB image gets `testData: true`, every Kinesis record's JSON event too. The analytics loaders
 * then load none of it; other consumers (the search indexer) ignore the attribute.
 */
import { TEST_DATA_ATTRIBUTE } from '../../../functions/shared/test-data';

type Image = Record<string, unknown>;
interface StreamRecord {
  dynamodb?: { NewImage?: Image; OldImage?: Image };
  kinesis?: { data?: string };
}

const markImage = (image: Image | undefined) =>
  image === undefined ? undefined : { ...image, [TEST_DATA_ATTRIBUTE]: { BOOL: true } };

function markKinesisData(data: string | undefined): string | undefined {
  if (data === undefined) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch {
    // Not JSON: the loader rejects the record whatever it carries, so it is handed over as it is.
    return data;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return data;
  return Buffer.from(JSON.stringify({ ...event, [TEST_DATA_ATTRIBUTE]: true })).toString('base64');
}

function markRecord(record: StreamRecord, kind: 'dynamodb' | 'kinesis'): StreamRecord {
  if (kind === 'kinesis' && record.kinesis)
    return { ...record, kinesis: { ...record.kinesis, data: markKinesisData(record.kinesis.data) } };
  if (kind === 'dynamodb' && record.dynamodb) {
    const { NewImage, OldImage } = record.dynamodb;
    return {
      ...record,
      dynamodb: {
        ...record.dynamodb,
        ...(NewImage && { NewImage: markImage(NewImage) }),
        ...(OldImage && { OldImage: markImage(OldImage) }),
      },
    };
  }
  return record;
}

/** The event with each of its records marked; the fixture itself is left as it is. */
export function streamEventAsTestData<E>(event: E, kind: 'dynamodb' | 'kinesis'): E {
  const records = (event as { Records?: unknown }).Records;
  if (!Array.isArray(records)) return event;
  return { ...event, Records: records.map((r) => markRecord(r as StreamRecord, kind)) };
}

/**
 * An API Gateway fixture, marked as test data in its requestContext — which only a direct invocation can set,
 * never a client through API Gateway: what the route stores (an order, a product, its stock, clicks) carries
 * the mark on to the analytics loaders.
 */
export function apiEventAsTestData<E extends { requestContext?: unknown }>(event: E): E {
  const requestContext = (event.requestContext ?? {}) as Record<string, unknown>;
  return { ...event, requestContext: { ...requestContext, [TEST_DATA_ATTRIBUTE]: true } };
}
