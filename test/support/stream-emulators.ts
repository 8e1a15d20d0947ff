/**
 * The stream side of the platform on free ports, for tests of the local event source mappings and the
 * redrive: DynamoDB Local (its Streams), kinesalite and the SQS emulator, with clients and helpers that make
 * a stream-enabled table, a Kinesis stream or a queue of their own. The caller stops it in afterAll.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, startDynamoDbLocal } from '@ecicomm/local-platform/emulators';
import { localKinesisClient, startLocalKinesis } from '@ecicomm/local-platform/kinesis';
import { startSqsEmulator } from '@ecicomm/local-platform/sqs/server';

export const region = 'eu-west-2';
export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** Event source mapping timings for tests: poll and retry in milliseconds; errors are the test's to assert. */
export const fastPolling = {
  pollIntervalMs: 50,
  retryDelayMs: 5,
  maxRetryDelayMs: 20,
  onError: () => undefined,
} as const;

export interface StreamEmulators {
  dynamo: DynamoDBClient;
  kinesis: KinesisClient;
  sqs: SQSClient;
  dynamoEndpoint: string;
  kinesisEndpoint: string;
  sqsEndpoint: string;
  /** A table with a NEW_AND_OLD_IMAGES stream, keyed by the string `pk`. */
  createTable(): Promise<string>;
  /** An ACTIVE Kinesis stream of that many shards. */
  createStream(shardCount: number): Promise<string>;
  createQueue(): Promise<string>;
  /** Stops every emulator it started, by pid where there is one; safe to call after a failed start. */
  stop(): Promise<void>;
}

export async function startStreamEmulators(namePrefix: string): Promise<StreamEmulators> {
  const name = () => `${namePrefix}-${randomUUID().slice(0, 8)}`;
  // Only DynamoDB Local (a JVM told its port up front) needs one reserved: the in-process emulators listen
  // on port 0, so no two of them can be handed the same free port.
  const dynamoPort = await freePort();
  const [ddbStart, kinesisStart, sqsStart] = await Promise.allSettled([
    startDynamoDbLocal({ port: dynamoPort }),
    startLocalKinesis({ port: 0, region, prefix: namePrefix, credentials }),
    startSqsEmulator({ port: 0 }),
  ]);
  const stopStarted = async () => {
    await Promise.allSettled(
      [ddbStart, kinesisStart, sqsStart].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)),
    );
  };
  if (ddbStart.status === 'rejected' || kinesisStart.status === 'rejected' || sqsStart.status === 'rejected') {
    await stopStarted();
    throw ([ddbStart, kinesisStart, sqsStart].find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const [ddb, localKinesis, sqsEmulator] = [ddbStart.value, kinesisStart.value, sqsStart.value];
  const dynamo = new DynamoDBClient({ region, endpoint: ddb.endpoint, credentials });
  const kinesis = localKinesisClient(localKinesis.endpoint, region, credentials);
  const sqs = new SQSClient({ region, endpoint: sqsEmulator.endpoint, credentials });
  return {
    dynamo,
    kinesis,
    sqs,
    dynamoEndpoint: ddb.endpoint,
    kinesisEndpoint: localKinesis.endpoint,
    sqsEndpoint: sqsEmulator.endpoint,
    async createTable() {
      const TableName = name();
      await dynamo.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
      return TableName;
    },
    async createStream(ShardCount) {
      const StreamName = name();
      await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount }));
      for (;;) {
        const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
        if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return StreamName;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async createQueue() {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name() }));
      return QueueUrl!;
    },
    async stop() {
      dynamo.destroy();
      kinesis.destroy();
      sqs.destroy();
      await stopStarted();
    },
  };
}
