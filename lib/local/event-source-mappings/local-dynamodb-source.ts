import {
  lambdaDynamoDbRecord,
  positionSequenceNumber,
  type Credentials,
  type DdbStreamRecord,
  type ShardInfo,
  type StreamSource,
} from '../../stream-sources';
import { AwsJsonError, dynamoDbJsonClient } from './aws-json';

/**
 * DynamoDB Local's stream for the local pollers, read with the JSON client (aws-json.ts), which hands the records
 * over exactly as on the wire, as Lambda's events carry them. Emulators only.
 */
export async function dynamoDbStreamSource(options: {
  endpoint: string;
  tableName: string;
  region: string;
  credentials: Credentials;
}): Promise<StreamSource> {
  const call = dynamoDbJsonClient(options.endpoint, options.region, options.credentials);
  const { Table } = await call<{
    Table: { LatestStreamArn?: string; StreamSpecification?: { StreamEnabled?: boolean } };
  }>('DynamoDB_20120810.DescribeTable', {
    TableName: options.tableName,
  });
  const arn = Table.LatestStreamArn;
  if (!arn || Table.StreamSpecification?.StreamEnabled === false)
    throw new Error(`Table ${options.tableName} has no stream enabled`);
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
        }>('DynamoDBStreams_20120810.DescribeStream', {
          StreamArn: arn,
          ...(ExclusiveStartShardId ? { ExclusiveStartShardId } : {}),
        });
        for (const s of StreamDescription.Shards ?? [])
          shards.push({ shardId: s.ShardId, ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}) });
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
      const page = await call<{ Records?: DdbStreamRecord[]; NextShardIterator?: string | null }>(
        'DynamoDBStreams_20120810.GetRecords',
        {
          ShardIterator: iterator,
          Limit: Math.min(Math.max(limit, 1), 1000),
        },
      );
      const records = (page.Records ?? []).map((r) => lambdaDynamoDbRecord(r, options.region, arn));
      return { records, ...(page.NextShardIterator ? { nextIterator: page.NextShardIterator } : {}) };
    },
    close() {},
  };
}
