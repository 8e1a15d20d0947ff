import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { localKinesisClient } from '../../lib/local/kinesis';

export interface StreamRecord {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  data: any;
}

/** Every record on the stream, from the start of each shard (TRIM_HORIZON), read until each shard is caught up. */
export async function readStream(endpoint: string, StreamName: string, region = 'eu-west-2'): Promise<StreamRecord[]> {
  const client = localKinesisClient(endpoint, region, { accessKeyId: 'local', secretAccessKey: 'local' });
  try {
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName }));
    const out: StreamRecord[] = [];
    for (const shard of Shards) {
      let { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      while (ShardIterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
        for (const r of page.Records ?? []) {
          out.push({ shardId: shard.ShardId!, partitionKey: r.PartitionKey!, sequenceNumber: r.SequenceNumber!, data: JSON.parse(new TextDecoder().decode(r.Data)) });
        }
        if (!page.Records?.length || page.MillisBehindLatest === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return out;
  } finally {
    client.destroy();
  }
}
