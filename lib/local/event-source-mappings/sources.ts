/**
 * The stream sources a local event source mapping polls: the shared ones (lib/stream-sources, through the SDK)
 * and the two lean ones the local pollers use, which read DynamoDB Local's stream and kinesalite's records with a
 * tiny JSON-protocol client (aws-json.ts) and hand the records over as on the wire.
 *
 * DynamoDB Local never verifies signatures but refuses a request without an `Authorization` header naming an
 * access key (MissingAuthenticationToken), so the JSON client sends an unsigned SigV4-shaped header carrying the
 * access key. It would not work against AWS, which is why it lives here.
 */
export * from '../../stream-sources';
export { AwsJsonError, dynamoDbJsonClient } from './aws-json';
export { dynamoDbStreamSource } from './local-dynamodb-source';
export { localKinesisStreamSource } from './local-kinesis-source';
