/** The event source mapping's public options and stats, and the state its parts share. */
import type { Credentials, SourceRecord, StreamSource } from './sources';

export type EventSourceKind =
  { kind: 'dynamodb'; endpoint: string; tableName: string } | { kind: 'kinesis'; endpoint: string; streamName: string };

export interface BatchItemFailuresResponse {
  batchItemFailures?: { itemIdentifier?: string }[];
}

export interface EventSourceMappingOptions {
  source: EventSourceKind;
  /**
   * Invoked with `{ Records: [...] }` — a DynamoDBStreamEvent or a KinesisStreamEvent of `aws-lambda`'s types,
   * e.g. a handler module's export called through localInvoker — and may return `{ batchItemFailures }`
   * when reportBatchItemFailures is on.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (event: { Records: any[] }) => Promise<unknown> | unknown;
  /** Default eu-west-2. Also the records' awsRegion. */
  region?: string;
  /** Default local/local. */
  credentials?: Credentials;
  /** For the failure record's functionArn. Default `local-esm`. */
  functionName?: string;
  /** Default 100, as in Lambda. */
  batchSize?: number;
  /** Default 0: invoke with whatever one read returned. */
  maximumBatchingWindowMs?: number;
  /** For shards without a checkpoint. Default TRIM_HORIZON. */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Default false. */
  reportBatchItemFailures?: boolean;
  /** Default false. */
  bisectBatchOnFunctionError?: boolean;
  /** -1 (default) retries until the records expire (maximumRecordAgeSeconds). */
  maximumRetryAttempts?: number;
  /** Records older than this are sent to the on-failure destination instead of the function. -1 (default): never. */
  maximumRecordAgeSeconds?: number;
  /** Where failure records go when retries are exhausted. */
  onFailure?: { queueUrl: string; endpoint?: string };
  /** A JSON file the checkpoints are kept in across restarts. */
  checkpointFile?: string;
  /** How long a shard with nothing new waits before reading again. Default 250 ms. */
  pollIntervalMs?: number;
  /** How often new shards are looked for. Default 5000 ms. */
  shardDiscoveryIntervalMs?: number;
  /** First retry delay, doubled per retry up to maxRetryDelayMs. Default 100 ms / 5000 ms. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Kinesis records' invokeIdentityArn. */
  invokeIdentityArn?: string;
  /** Errors reading the stream, handler errors, failed destination sends; default console.error. */
  onError?: (error: unknown, where: string) => void;
}

export interface ShardStats {
  shardId: string;
  parentShardId?: string;
  checkpoint?: string;
  finished: boolean;
  inFlight: boolean;
  buffered: number;
}

export interface EventSourceMappingStats {
  sourceArn: string;
  shards: ShardStats[];
  invocations: number;
  failedInvocations: number;
  /** Batches fully handled (delivered, or sent to the destination). */
  batches: number;
  recordsDelivered: number;
  bisections: number;
  partialFailures: number;
  /** Records sent to the on-failure destination, and the failure records sent. */
  recordsToDestination: number;
  destinationMessages: number;
  recordsDiscarded: number;
  /** Records that reached maximumRecordAgeSeconds before they were handled (sent on, or discarded). */
  recordsExpired: number;
  lastError?: string;
}

export interface EventSourceMapping {
  stop(): Promise<void>;
  /** Resolves once every shard has been read to its end (as of the call) and nothing is in flight. */
  idle(timeoutMs?: number): Promise<void>;
  stats(): EventSourceMappingStats;
}

export interface ShardState {
  shardId: string;
  parentShardId?: string;
  checkpoint?: string;
  finished: boolean;
  started: boolean;
  inFlight: boolean;
  buffer: SourceRecord[];
  /** Tick of the start of the last read that found nothing new while nothing was buffered. */
  caughtUpAt: number;
}

/** The options with their defaults applied. */
export interface MappingSettings {
  functionArn: string;
  batchSize: number;
  windowMs: number;
  maxRetries: number;
  maxAgeMs: number;
  pollIntervalMs: number;
  discoveryIntervalMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/** What the poller, the batch handling and the destination of one mapping share. */
export interface MappingContext {
  options: EventSourceMappingOptions;
  settings: MappingSettings;
  source: StreamSource;
  stats: EventSourceMappingStats;
  /** Counts an error in the stats and passes it to options.onError. */
  report(e: unknown, where: string): void;
  stopping: AbortSignal;
  /** A counter ordering reads, listings and idle() calls. */
  nextTick(): number;
}
