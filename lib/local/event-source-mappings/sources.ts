/**
 * The two stream sources a local event source mapping polls: DynamoDB Local's Streams API and Kinesis
 * (kinesalite). Each turns the service's records into the exact record shapes Lambda puts in its events.
 *
 * DynamoDB Streams, for the local pollers: the four calls used are made with a tiny JSON-protocol client
 * (POST, `X-Amz-Target: DynamoDBStreams_20120810.<Op>`, `application/x-amz-json-1.0`) that hands over the
 * records exactly as on the wire, which is what Lambda's events carry. DynamoDB Local never verifies
 * signatures but refuses a request without an `Authorization` header naming an access key
 * (MissingAuthenticationToken), so an unsigned SigV4-shaped header carrying the access key is sent. This is
 * for emulators only; it would not work against AWS. `sdkDynamoDbStreamSource` reads with the real
 * `@aws-sdk/client-dynamodb-streams` instead (AWS or local), turning its parsed records back into the wire
 * form, so both shape events through the one `lambdaDynamoDbRecord`.
 */
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
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record as KinesisRecord,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Where to start reading a shard. */
export type StartPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  /** The redrive re-reads a failed batch from its first record. */
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string };

const positionSequenceNumber = (position: StartPosition) =>
  position.type === 'AFTER_SEQUENCE_NUMBER' || position.type === 'AT_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined;

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
}

/** One record as read, with the Lambda event record it becomes. */
export interface SourceRecord {
  sequenceNumber: string;
  /** When the record reached the stream, for the failure record's batch info. */
  arrival: Date;
  event: Record<string, unknown>;
}

export interface RecordsPage {
  records: SourceRecord[];
  /** Absent when the shard is closed and read to its end. */
  nextIterator?: string;
}

export class IteratorExpired extends Error {}

/** The position asked for is older than what the stream still holds (DynamoDB Streams' TrimmedDataAccessException). */
export class RecordsTrimmed extends Error {}

export interface StreamSource {
  kind: 'dynamodb' | 'kinesis';
  /** The stream's ARN (eventSourceARN). */
  arn: string;
  /** `DDBStreamBatchInfo` or `KinesisBatchInfo`, the key of the failure record's batch info. */
  batchInfoKey: 'DDBStreamBatchInfo' | 'KinesisBatchInfo';
  listShards(): Promise<ShardInfo[]>;
  /** Undefined when the shard has nothing more to read from that position (a closed shard). */
  getIterator(shardId: string, position: StartPosition): Promise<string | undefined>;
  getRecords(shardId: string, iterator: string, limit: number): Promise<RecordsPage>;
  close(): void;
}

// ---------------------------------------------------------------------------------------------------------
// DynamoDB Streams

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

export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(`${type}: ${message}`);
  }
}

/** A minimal JSON-protocol client for DynamoDB (Local) and its Streams API. */
export const dynamoDbJsonClient = (endpoint: string, region: string, credentials: Credentials) => awsJsonClient(endpoint, region, credentials, 'dynamodb', '1.0');

/**
 * A minimal JSON-protocol client for an emulator: POST, `X-Amz-Target`, the protocol's content type, and an
 * unsigned SigV4-shaped `Authorization` (the emulators check that one is there, never what it signs).
 */
function awsJsonClient(endpoint: string, region: string, credentials: Credentials, service: 'dynamodb' | 'kinesis', jsonVersion: '1.0' | '1.1') {
  // Dated once: the emulators want the header, not a current value.
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  return async function call<T>(target: string, body: unknown): Promise<T> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': `application/x-amz-json-${jsonVersion}`,
        'x-amz-target': target,
        'x-amz-date': amzDate,
        authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${date}/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=unsigned`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const type = String(json.__type ?? 'UnknownError').split('#').pop()!;
      const error = new AwsJsonError(type, String(json.Message ?? json.message ?? text), response.status);
      // The two stream errors a poller acts on, in the sources' own terms (as the SDK sources map theirs).
      if (type === 'ExpiredIteratorException') throw new IteratorExpired(error.message);
      if (type === 'TrimmedDataAccessException') throw new RecordsTrimmed(error.message);
      throw error;
    }
    return json as T;
  };
}

export async function dynamoDbStreamSource(options: { endpoint: string; tableName: string; region: string; credentials: Credentials }): Promise<StreamSource> {
  const call = dynamoDbJsonClient(options.endpoint, options.region, options.credentials);
  const { Table } = await call<{ Table: { LatestStreamArn?: string; StreamSpecification?: { StreamEnabled?: boolean } } }>('DynamoDB_20120810.DescribeTable', {
    TableName: options.tableName,
  });
  const arn = Table.LatestStreamArn;
  if (!arn || Table.StreamSpecification?.StreamEnabled === false) throw new Error(`Table ${options.tableName} has no stream enabled`);
  return {
    kind: 'dynamodb',
    arn,
    batchInfoKey: 'DDBStreamBatchInfo',
    async listShards() {
      const shards: ShardInfo[] = [];
      let ExclusiveStartShardId: string | undefined;
      do {
        const { StreamDescription } = await call<{
          StreamDescription: { Shards?: { ShardId: string; ParentShardId?: string }[]; LastEvaluatedShardId?: string };
        }>('DynamoDBStreams_20120810.DescribeStream', { StreamArn: arn, ...(ExclusiveStartShardId ? { ExclusiveStartShardId } : {}) });
        for (const s of StreamDescription.Shards ?? []) shards.push({ shardId: s.ShardId, ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}) });
        ExclusiveStartShardId = StreamDescription.LastEvaluatedShardId;
      } while (ExclusiveStartShardId);
      return shards;
    },
    async getIterator(shardId, position) {
      try {
        const { ShardIterator } = await call<{ ShardIterator?: string }>('DynamoDBStreams_20120810.GetShardIterator', {
          StreamArn: arn,
          ShardId: shardId,
          ShardIteratorType: position.type,
          ...(positionSequenceNumber(position) ? { SequenceNumber: positionSequenceNumber(position) } : {}),
        });
        return ShardIterator ?? undefined;
      } catch (e) {
        // A shard that has been trimmed away entirely: nothing left to read.
        if (e instanceof AwsJsonError && e.type === 'ResourceNotFoundException') return undefined;
        throw e;
      }
    },
    async getRecords(shardId, iterator, limit) {
      const page = await call<{ Records?: DdbStreamRecord[]; NextShardIterator?: string | null }>('DynamoDBStreams_20120810.GetRecords', {
        ShardIterator: iterator,
        Limit: Math.min(Math.max(limit, 1), 1000),
      });
      const records = (page.Records ?? []).map((r) => lambdaDynamoDbRecord(r, options.region, arn));
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
    close() {},
  };
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
  const arrival = d.ApproximateCreationDateTime !== undefined ? new Date(d.ApproximateCreationDateTime * 1000) : new Date();
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
const wireAttributeMap = (map: Record<string, AttributeValue>) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, wireAttributeValue(v)]));

/** An SDK-parsed Streams record back in its wire form, so both clients shape events through lambdaDynamoDbRecord. */
export function wireStreamRecord(r: SdkStreamRecord): DdbStreamRecord {
  const d = r.dynamodb ?? {};
  const wire: DdbStreamRecord = {
    eventID: r.eventID!,
    eventName: r.eventName!,
    dynamodb: {
      ...(d.ApproximateCreationDateTime !== undefined ? { ApproximateCreationDateTime: d.ApproximateCreationDateTime.getTime() / 1000 } : {}),
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
export function sdkDynamoDbStreamSource(options: { streamArn: string; region?: string; endpoint?: string; credentials?: Credentials }): StreamSource {
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
        const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: arn, ...(ExclusiveStartShardId ? { ExclusiveStartShardId } : {}) }));
        for (const s of StreamDescription?.Shards ?? []) shards.push({ shardId: s.ShardId!, ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}) });
        ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
      } while (ExclusiveStartShardId);
      return shards;
    },
    async getIterator(shardId, position) {
      const SequenceNumber = positionSequenceNumber(position);
      try {
        const { ShardIterator } = await client.send(
          new GetStreamsShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: position.type, ...(SequenceNumber ? { SequenceNumber } : {}) }),
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
        page = await client.send(new GetStreamsRecordsCommand({ ShardIterator: iterator, Limit: Math.min(Math.max(limit, 1), 1000) }));
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

// ---------------------------------------------------------------------------------------------------------
// Kinesis

/** A Kinesis record as GetRecords puts it on the wire: its data still base64, as Lambda's events carry it. */
interface KinesisWireRecord {
  Data: string;
  PartitionKey: string;
  SequenceNumber: string;
  /** Epoch seconds. */
  ApproximateArrivalTimestamp?: number;
}

/**
 * The local pollers' Kinesis source (kinesalite): the SDK's, except GetRecords, which is made with the JSON
 * client above and hands each record's data on as the base64 it arrived in. The SDK decodes every record's
 * data to bytes, and the Lambda record needs it encoded again: over a replayed month that round trip and the
 * SDK's parsing were about 0.5 s of the platform thread, which also serves the emulators. Emulators only.
 */
export async function localKinesisStreamSource(options: { endpoint: string; streamName: string; region: string; credentials: Credentials; invokeIdentityArn: string }): Promise<StreamSource> {
  const source = await kinesisStreamSource(options);
  const call = awsJsonClient(options.endpoint, options.region, options.credentials, 'kinesis', '1.1');
  const at = (shardId: string) => ({ shardId, region: options.region, streamArn: source.arn, invokeIdentityArn: options.invokeIdentityArn });
  return {
    ...source,
    async getRecords(shardId, iterator, limit) {
      const page = await call<{ Records?: KinesisWireRecord[]; NextShardIterator?: string | null }>('Kinesis_20131202.GetRecords', {
        ShardIterator: iterator,
        Limit: Math.min(Math.max(limit, 1), 10_000),
      });
      const where = at(shardId);
      const records = (page.Records ?? []).map((r) =>
        lambdaKinesisRecordFromWire(
          { sequenceNumber: r.SequenceNumber, partitionKey: r.PartitionKey, data: r.Data, arrival: r.ApproximateArrivalTimestamp === undefined ? new Date() : new Date(Math.round(r.ApproximateArrivalTimestamp * 1000)) },
          where,
        ),
      );
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
  };
}

export async function kinesisStreamSource(options: {
  /** Default: the SDK's (AWS_ENDPOINT_URL_KINESIS, or AWS). */
  endpoint?: string;
  streamName: string;
  region: string;
  /** Default: the SDK's credential chain. */
  credentials?: Credentials;
  invokeIdentityArn: string;
}): Promise<StreamSource> {
  // HTTP/1.1: kinesalite speaks no HTTP/2, and Kinesis serves GetRecords over either.
  const client = new KinesisClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: new NodeHttpHandler(),
  });
  const StreamName = options.streamName;
  let arn: string;
  try {
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
    arn = StreamDescriptionSummary!.StreamARN!;
  } catch (e) {
    client.destroy();
    throw e;
  }
  return {
    kind: 'kinesis',
    arn,
    batchInfoKey: 'KinesisBatchInfo',
    async listShards() {
      const shards: Shard[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(new ListShardsCommand(NextToken ? { NextToken } : { StreamName }));
        shards.push(...(page.Shards ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return shards.map((s) => ({ shardId: s.ShardId!, ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}) }));
    },
    async getIterator(shardId, position) {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName,
          ShardId: shardId,
          ShardIteratorType: position.type,
          ...(positionSequenceNumber(position) ? { StartingSequenceNumber: positionSequenceNumber(position) } : {}),
        }),
      );
      return ShardIterator ?? undefined;
    },
    async getRecords(shardId, iterator, limit) {
      let page;
      try {
        page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(Math.max(limit, 1), 10_000) }));
      } catch (e) {
        if (e instanceof ExpiredIteratorException) throw new IteratorExpired(e.message);
        throw e;
      }
      const records = (page.Records ?? []).map((r) => lambdaKinesisRecord(r, { shardId, region: options.region, streamArn: arn, invokeIdentityArn: options.invokeIdentityArn }));
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
    close() {
      client.destroy();
    },
  };
}

type RecordPlace = { shardId: string; region: string; streamArn: string; invokeIdentityArn: string };

/** A Kinesis record as Lambda puts it in a KinesisStreamEvent. */
export function lambdaKinesisRecord(r: KinesisRecord, at: RecordPlace): SourceRecord {
  return lambdaKinesisRecordFromWire(
    { sequenceNumber: r.SequenceNumber!, partitionKey: r.PartitionKey!, data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'), arrival: r.ApproximateArrivalTimestamp ?? new Date() },
    at,
  );
}

function lambdaKinesisRecordFromWire(r: { sequenceNumber: string; partitionKey: string; data: string; arrival: Date }, at: RecordPlace): SourceRecord {
  const { arrival } = r;
  return {
    sequenceNumber: r.sequenceNumber,
    arrival,
    event: {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: r.data,
        approximateArrivalTimestamp: arrival.getTime() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${at.shardId}:${r.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: at.invokeIdentityArn,
      awsRegion: at.region,
      eventSourceARN: at.streamArn,
    },
  };
}
