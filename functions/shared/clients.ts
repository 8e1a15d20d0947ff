import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, one per container. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE>
 * variables, which the local substrate points at its emulators: the code is the same in both places.
 * Every DynamoDB request of a function goes through the one client, so one middleware sees them all
 * (the checkout benchmark counts requests per order that way).
 */
let client: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

export function dynamoClient(): DynamoDBClient {
  client ??= new DynamoDBClient({ maxAttempts: 3 });
  return client;
}

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(dynamoClient(), { marshallOptions: { removeUndefinedValues: true } });
  return documentClient;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
