import {
  kinesisStreamSource,
  lambdaKinesisRecordFromWire,
  type Credentials,
  type StreamSource,
} from '../../stream-sources';
import { awsJsonClient } from './aws-json';

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
 * client (aws-json.ts) and hands each record's data on as the base64 it arrived in. The SDK decodes every record's
 * data to bytes, and the Lambda record needs it encoded again: over a replayed month that round trip and the
 * SDK's parsing were about 0.5 s of the platform thread, which also serves the emulators. Emulators only.
 */
export async function localKinesisStreamSource(options: {
  endpoint: string;
  streamName: string;
  region: string;
  credentials: Credentials;
  invokeIdentityArn: string;
}): Promise<StreamSource> {
  const source = await kinesisStreamSource(options);
  const call = awsJsonClient(options.endpoint, options.region, options.credentials, 'kinesis', '1.1');
  const at = (shardId: string) => ({
    shardId,
    region: options.region,
    streamArn: source.arn,
    invokeIdentityArn: options.invokeIdentityArn,
  });
  return {
    ...source,
    async getRecords(shardId, iterator, limit) {
      const page = await call<{ Records?: KinesisWireRecord[]; NextShardIterator?: string | null }>(
        'Kinesis_20131202.GetRecords',
        {
          ShardIterator: iterator,
          Limit: Math.min(Math.max(limit, 1), 10_000),
        },
      );
      const where = at(shardId);
      const records = (page.Records ?? []).map((r) =>
        lambdaKinesisRecordFromWire(
          {
            sequenceNumber: r.SequenceNumber,
            partitionKey: r.PartitionKey,
            data: r.Data,
            arrival:
              r.ApproximateArrivalTimestamp === undefined
                ? new Date()
                : new Date(Math.round(r.ApproximateArrivalTimestamp * 1000)),
          },
          where,
        ),
      );
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
  };
}
