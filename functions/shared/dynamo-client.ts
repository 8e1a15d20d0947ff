import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from './tracing';

/**
 * The DynamoDB clients, one per container, made on first use. Endpoints come from the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables, which the local substrate points at its emulators: the code is the same in
 * both places. Every DynamoDB request of a function goes through the one client, so one middleware sees them all
 * (the checkout benchmark counts requests per order that way). A module per service: a handler's bundle holds, and
 * its cold start loads, only the clients its code reaches.
 */
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
