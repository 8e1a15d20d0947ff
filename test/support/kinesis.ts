import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { localKinesisClient } from '@ecicomm/local-platform/kinesis';

export interface StreamRecord {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  data: any;
}

/** Where each shard ends: its last record's sequence number (an empty shard is absent). */
export type StreamPosition = Readonly<Record<string, string>>;

/** The position just past these records, read with readStream: the last sequence number of each shard. */
export function positionAfter(records: readonly StreamRecord[]): StreamPosition {
  return Object.fromEntries(records.map((r) => [r.shardId, r.sequenceNumber]));
}

/**
 * Every record on the stream, from the start of each shard (TRIM_HORIZON) or after a position (so a test skips
 * what a history replay put on the stream before it), read until a shard returns an empty page. (Not
 * AT_TIMESTAMP: kinesalite never answers one on a shard with no record after the time.)
 */
export async function readStream(
  endpoint: string,
  StreamName: string,
  region = 'eu-west-2',
  after: StreamPosition = {},
): Promise<StreamRecord[]> {
  const client = localKinesisClient(endpoint, region, { accessKeyId: 'local', secretAccessKey: 'local' });
  try {
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName }));
    const out: StreamRecord[] = [];
    for (const shard of Shards) {
      const last = after[shard.ShardId!];
      let { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName,
          ShardId: shard.ShardId!,
          ...(last
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: last }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      while (ShardIterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
        for (const r of page.Records ?? []) {
          out.push({
            shardId: shard.ShardId!,
            partitionKey: r.PartitionKey!,
            sequenceNumber: r.SequenceNumber!,
            data: JSON.parse(new TextDecoder().decode(r.Data)),
          });
        }
        // An empty page is the end: kinesalite reports MillisBehindLatest 0 on every page, even a full one
        // with more behind it (a history replay puts more than one page on a shard).
        if (!page.Records?.length) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return out;
  } finally {
    client.destroy();
  }
}
