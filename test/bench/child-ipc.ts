/**
 * The IPC protocol between a benchmark section and test/bench/platform-child.ts when the child is spawned
 * with an 'ipc' stdio channel (the checkout section). Without the channel (the api section) the child
 * installs nothing and behaves as before.
 */

/** DynamoDB requests the handlers sent through `dynamoClient()` since the last reset. */
export interface DynamoCounts {
  /** Commands by name (`client.send` calls, retries not included), e.g. { PutItem: 2, TransactWriteItems: 2 }. */
  commands: Record<string, number>;
  /** HTTP attempts by command name, SDK retries included. */
  attempts: Record<string, number>;
  /** Failed commands by `Command:ErrorName` (conditional checks and cancelled transactions are expected ones). */
  errors: Record<string, number>;
  /** Commands by `Command table` (logical table names; a transaction's tables joined with +), e.g. { 'PutItem orders': 1 }. */
  byTable: Record<string, number>;
  /** Commands by the function that sent them (lib/local/lambda/local-invoker.ts' invokingFunction), `(platform)` outside any. */
  byFunction: Record<string, number>;
  /** Milliseconds spent in those commands (send → answer, retries included), by the same keys as byTable. */
  msByTable: Record<string, number>;
  /** Sum of TransactItems over all TransactWriteItems commands (items per transaction = this / commands.TransactWriteItems). */
  transactItems: number;
  /** Milliseconds the counts cover (since the last reset). */
  windowMs: number;
  /** What AWS would bill for the same requests, counted alongside (./cost.ts prices them). */
  billing: BillingCounts;
  /** The platform process's event loop over the window: busy fraction (0–1) and timer delay beyond schedule, ms. */
  eventLoop?: { utilization: number; delayMeanMs: number; delayP99Ms: number };
}

/** Billable units the platform counted since the last reset (DynamoDB's from the requests above). */
export interface BillingCounts {
  /** DynamoDB request units by ./cost.ts' dynamoRequestUnits, and the largest item a Put wrote (bytes). */
  dynamo: { readUnits: number; writeUnits: number; maxPutItemBytes: number };
  /** Lambda invocations by function id (lib/local/lambda/local-invoker.ts' channel): count, ms, ms rounded up per invocation. */
  lambda: Record<string, { invocations: number; ms: number; billedMs: number; errors: number }>;
  /** Step Functions (lib/local/stepfunctions/engine.ts' channel): states entered and retries, distinct executions seen. */
  sfn: { statesEntered: number; retries: number; executions: number; byState: Record<string, number> };
  /** Kinesis PutRecord/PutRecords through `kinesisClient()`: records, data bytes, PUT payload units. */
  kinesis: { records: number; bytes: number; putPayloadUnits: number };
}

/** Parent → child. Every request carries an id the answer repeats. */
export type ChildRequest =
  | { type: 'counts'; id: number; reset: boolean }
  /** Answers once no saga execution is running (Platform.sagasIdle), then with the counts. */
  | { type: 'idle'; id: number; timeoutMs: number };

/** Child → parent. */
export type ChildMessage =
  | { type: 'counts'; id: number; counts: DynamoCounts }
  | { type: 'idle'; id: number; ok: boolean; error?: string }
  /**
   * An order's status write succeeded in DynamoDB: the moment a consistent read of the order starts to
   * return this status. `at` is wall-clock ms (performance.timeOrigin + performance.now()).
   */
  | { type: 'order'; orderId: string; status: 'CONFIRMED' | 'CANCELLED'; at: number };
