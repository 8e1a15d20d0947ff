/**
 * The two stream sources a local event source mapping polls: DynamoDB Local's Streams API and Kinesis
 * (kinesalite). Each turns the service's records into the exact record shapes Lambda puts in its events.
 *
 * DynamoDB Streams, for the local pollers: the four calls used are made with a tiny JSON-protocol client
 * (POST, `X-Amz-Target: DynamoDBStreams_20120810.<Op>`, `application/x-amz-json-1.0`) that hands over the
 * records exactly as on the wire, which is what Lambda's events carry. DynamoDB Local never verifies
 * signatures but refuses a request without an `Authorization` header naming an access key
 * (MissingAuthenticationToken), so an unsigned SigV4-shaped header carrying the access key is sent. This is
 * for emulators only; it would not work against AWS. `sdkDynamoDbStreamSource` reads with the real
 * `@aws-sdk/client-dynamodb-streams` instead (AWS or local), turning its parsed records back into the wire
 * form, so both shape events through the one `lambdaDynamoDbRecord`.
 *
 * The sources' parts, re-exported here: source-types.ts, aws-json.ts, dynamodb-source.ts, kinesis-source.ts.
 */
export * from './source-types';
export { AwsJsonError, dynamoDbJsonClient } from './aws-json';
export * from './dynamodb-source';
export * from './kinesis-source';
