/** What a stream source is to the poller: shards, positions, records, and the two read errors it acts on. */

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

export const positionSequenceNumber = (position: StartPosition) =>
  position.type === 'AFTER_SEQUENCE_NUMBER' || position.type === 'AT_SEQUENCE_NUMBER'
    ? position.sequenceNumber
    : undefined;

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
