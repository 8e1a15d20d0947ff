import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tracer } from './observability';

/**
 * SDK clients, one per container. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE>
 * variables, which the local substrate points at its emulators: the code is the same in both places.
 * Every DynamoDB request of a function goes through the one client, so one middleware sees them all
 * (the checkout benchmark counts requests per order that way).
 */
/**
 * A client whose every call is an X-Ray subsegment of the invocation's trace (the table, stream or state machine it
 * named), so one trace follows a checkout through every service. Where tracing is off (the local platform, tests)
 * Powertools hands the client back untouched.
 */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

let client: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

export function dynamoClient(): DynamoDBClient {
  client ??= traced(new DynamoDBClient({ maxAttempts: 3 }));
  return client;
}

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(dynamoClient(), { marshallOptions: { removeUndefinedValues: true } });
  return documentClient;
}

let kinesis: KinesisClient | undefined;

/**
 * The Kinesis client. It speaks HTTP/1.1 (NodeHttpHandler) in both substrates: the SDK's Kinesis default
 * is HTTP/2, which only SubscribeToShard needs and which kinesalite cannot speak; PutRecords and the
 * other request/response calls work over HTTP/1.1 against real Kinesis just as well, so one client
 * setup serves AWS and the local emulator alike.
 */
export function kinesisClient(): KinesisClient {
  kinesis ??= traced(
    new KinesisClient({
      maxAttempts: 3,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
    }),
  );
  return kinesis;
}

let s3: S3Client | undefined;

/**
 * The S3 client. Path-style addressing (`endpoint/bucket/key`) in both substrates: S3 still serves it, and a
 * local endpoint on 127.0.0.1 has no bucket subdomains. Checksums only where S3 requires them: a presigned
 * PUT must not carry the checksum of an empty body the SDK would otherwise compute when it signs.
 */
export function s3Client(): S3Client {
  s3 ??= traced(
    new S3Client({
      maxAttempts: 3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
  return s3;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
