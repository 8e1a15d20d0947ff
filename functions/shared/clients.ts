import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, one per container. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE>
 * variables, which the local substrate points at its emulators: the code is the same in both places.
 */
let documentClient: DynamoDBDocumentClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
