/** DynamoDB Streams as a stream source through the SDK (AWS or DynamoDB Local), and the records as Lambda's events carry them. */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException as StreamsExpiredIterator,
  GetRecordsCommand as GetStreamsRecordsCommand,
  GetShardIteratorCommand as GetStreamsShardIteratorCommand,
  ResourceNotFoundException as StreamsResourceNotFound,
  TrimmedDataAccessException,
  type AttributeValue,
  type _Record as SdkStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  IteratorExpired,
  positionSequenceNumber,
  RecordsTrimmed,
  type Credentials,
  type ShardInfo,
  type SourceRecord,
  type StreamSource,
} from './source-types';

/** A DynamoDB Streams record as the Streams API puts it on the wire (attribute values in DynamoDB JSON). */
export interface DdbStreamRecord {
  eventID: string;
  eventName: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  dynamodb: {
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
  userIdentity?: unknown;
}

/**
 * DynamoDB Local's Streams API writes an empty map attribute as `{}` where DynamoDB (and so Lambda's events)
 * write `{"M": {}}`; `unmarshall` rejects the former ("No value defined"). Restored here, at any depth.
 */
function withEmptyMaps(image: Record<string, unknown>): Record<string, unknown> {
  const value = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    const attribute = v as { M?: Record<string, unknown>; L?: unknown[] };
    if (Object.keys(attribute).length === 0) return { M: {} };
    if (attribute.M) return { M: withEmptyMaps(attribute.M) };
    if (attribute.L) return { L: attribute.L.map(value) };
    return v;
  };
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, value(v)]));
}

/** A Streams API record as Lambda puts it in a DynamoDBStreamEvent. */
export function lambdaDynamoDbRecord(r: DdbStreamRecord, region: string, streamArn: string): SourceRecord {
  const d = r.dynamodb;
  const dynamodb: Record<string, unknown> = {};
  if (d.ApproximateCreationDateTime !== undefined) dynamodb.ApproximateCreationDateTime = d.ApproximateCreationDateTime;
  if (d.Keys) dynamodb.Keys = d.Keys;
  if (d.NewImage) dynamodb.NewImage = withEmptyMaps(d.NewImage);
  if (d.OldImage) dynamodb.OldImage = withEmptyMaps(d.OldImage);
  dynamodb.SequenceNumber = d.SequenceNumber;
  if (d.SizeBytes !== undefined) dynamodb.SizeBytes = d.SizeBytes;
  if (d.StreamViewType) dynamodb.StreamViewType = d.StreamViewType;
  const event: Record<string, unknown> = {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
    eventSourceARN: streamArn,
  };
  if (r.userIdentity) event.userIdentity = r.userIdentity;
  const arrival =
    d.ApproximateCreationDateTime !== undefined ? new Date(d.ApproximateCreationDateTime * 1000) : new Date();
  return { sequenceNumber: d.SequenceNumber, arrival, event };
}

/** An SDK attribute value back in DynamoDB JSON, as on the wire and in Lambda's events (binary as base64). */
function wireAttributeValue(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: wireAttributeMap(value.M) };
  if (value.L !== undefined) return { L: value.L.map(wireAttributeValue) };
  const { $unknown: _unknown, ...plain } = value as AttributeValue & { $unknown?: unknown };
  return plain;
}
const wireAttributeMap = (map: Record<string, AttributeValue>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, wireAttributeValue(v)]));

/** An SDK-parsed Streams record back in its wire form, so both clients shape events through lambdaDynamoDbRecord. */
export function wireStreamRecord(r: SdkStreamRecord): DdbStreamRecord {
  const d = r.dynamodb ?? {};
  const wire: DdbStreamRecord = {
    eventID: r.eventID!,
    eventName: r.eventName!,
    dynamodb: {
      ...(d.ApproximateCreationDateTime !== undefined
        ? { ApproximateCreationDateTime: d.ApproximateCreationDateTime.getTime() / 1000 }
        : {}),
      ...(d.Keys ? { Keys: wireAttributeMap(d.Keys) } : {}),
      ...(d.NewImage ? { NewImage: wireAttributeMap(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: wireAttributeMap(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber!,
      ...(d.SizeBytes !== undefined ? { SizeBytes: d.SizeBytes } : {}),
      ...(d.StreamViewType ? { StreamViewType: d.StreamViewType } : {}),
    },
  };
  if (r.userIdentity) wire.userIdentity = { PrincipalId: r.userIdentity.PrincipalId, Type: r.userIdentity.Type };
  return wire;
}

/**
 * A DynamoDB stream read with `@aws-sdk/client-dynamodb-streams`: signed requests, the default credential
 * chain and endpoint unless given, so it works against AWS as well as DynamoDB Local. Addressed by the
 * stream's ARN (what a failure record names), not by table. The redrive command reads with it.
 */
export function sdkDynamoDbStreamSource(options: {
  streamArn: string;
  region?: string;
  endpoint?: string;
  credentials?: Credentials;
}): StreamSource {
  const client = new DynamoDBStreamsClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const arn = options.streamArn;
  // Records carry the region as awsRegion: the client's, as the local pollers do (DynamoDB Local's ARNs say "ddblocal").
  const region = options.region ?? arn.split(':')[3] ?? '';
  return {
    kind: 'dynamodb',
    arn,
    batchInfoKey: 'DDBStreamBatchInfo',
    async listShards() {
      const shards: ShardInfo[] = [];
      let ExclusiveStartShardId: string | undefined;
      do {
        const { StreamDescription } = await client.send(
          new DescribeStreamCommand({ StreamArn: arn, ...(ExclusiveStartShardId ? { ExclusiveStartShardId } : {}) }),
        );
        for (const s of StreamDescription?.Shards ?? [])
          shards.push({ shardId: s.ShardId!, ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}) });
        ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
      } while (ExclusiveStartShardId);
      return shards;
    },
    async getIterator(shardId, position) {
      const SequenceNumber = positionSequenceNumber(position);
      try {
        const { ShardIterator } = await client.send(
          new GetStreamsShardIteratorCommand({
            StreamArn: arn,
            ShardId: shardId,
            ShardIteratorType: position.type,
            ...(SequenceNumber ? { SequenceNumber } : {}),
          }),
        );
        return ShardIterator ?? undefined;
      } catch (e) {
        if (e instanceof StreamsResourceNotFound) return undefined;
        if (e instanceof TrimmedDataAccessException) throw new RecordsTrimmed(e.message);
        throw e;
      }
    },
    async getRecords(_shardId, iterator, limit) {
      let page;
      try {
        page = await client.send(
          new GetStreamsRecordsCommand({ ShardIterator: iterator, Limit: Math.min(Math.max(limit, 1), 1000) }),
        );
      } catch (e) {
        if (e instanceof StreamsExpiredIterator) throw new IteratorExpired(e.message);
        throw e;
      }
      const records = (page.Records ?? []).map((r) => lambdaDynamoDbRecord(wireStreamRecord(r), region, arn));
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
    close() {
      client.destroy();
    },
  };
}
