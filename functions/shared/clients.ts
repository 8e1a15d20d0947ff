/**
 * Every shared client factory in one place, for tests and tools. Functions import the module of the client they use
 * (./dynamo-client, ./kinesis-client, ./s3-client, ./clock, ./tracing), never this one: each handler's bundle then
 * holds, and its cold start loads, only the SDK clients its code reaches (test/unit/handler-imports.test.ts).
 */
export { dynamoClient, dynamoDocumentClient } from './dynamo-client';
export { kinesisClient } from './kinesis-client';
export { s3Client } from './s3-client';
export { systemClock, type Clock } from './clock';
export { traced } from './tracing';
