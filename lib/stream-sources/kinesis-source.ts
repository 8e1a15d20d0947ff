/** Kinesis as a stream source, through the SDK: AWS's, or kinesalite's. */
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
import {
  IteratorExpired,
  positionSequenceNumber,
  type Credentials,
  type SourceRecord,
  type StreamSource,
} from './source-types';

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
      return shards.map((s) => ({
        shardId: s.ShardId!,
        ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}),
      }));
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
        page = await client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(Math.max(limit, 1), 10_000) }),
        );
      } catch (e) {
        if (e instanceof ExpiredIteratorException) throw new IteratorExpired(e.message);
        throw e;
      }
      const records = (page.Records ?? []).map((r) =>
        lambdaKinesisRecord(r, {
          shardId,
          region: options.region,
          streamArn: arn,
          invokeIdentityArn: options.invokeIdentityArn,
        }),
      );
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
    close() {
      client.destroy();
    },
  };
}

export type RecordPlace = { shardId: string; region: string; streamArn: string; invokeIdentityArn: string };

/** A Kinesis record as Lambda puts it in a KinesisStreamEvent. */
export function lambdaKinesisRecord(r: KinesisRecord, at: RecordPlace): SourceRecord {
  return lambdaKinesisRecordFromWire(
    {
      sequenceNumber: r.SequenceNumber!,
      partitionKey: r.PartitionKey!,
      data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
      arrival: r.ApproximateArrivalTimestamp ?? new Date(),
    },
    at,
  );
}

/** The same, from the record as it is on the wire (its data still base64). */
export function lambdaKinesisRecordFromWire(
  r: { sequenceNumber: string; partitionKey: string; data: string; arrival: Date },
  at: RecordPlace,
): SourceRecord {
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
