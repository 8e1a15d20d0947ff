/** The two ends of a saga fixture's replay, against the platform whose environment is in process.env. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../tables';
import { arrangeSagaFixture, type Invoke } from './arrange';
import { sagaOutcome, type EndedExecution, type SagaReport } from './saga-outcome';

async function withDb<T>(use: (db: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
  const client = new DynamoDBClient({});
  try {
    return await use(DynamoDBDocumentClient.from(client));
  } finally {
    client.destroy();
  }
}

/** Creates what the fixture needs (its order PENDING, stock, the steps before its own); returns its orderId. */
export const givenSagaFixture = (
  fixturePath: string,
  fixture: unknown,
  options: { invoke: Invoke; intoAnalytics: boolean },
): Promise<string> =>
  withDb((db) =>
    arrangeSagaFixture(fixturePath, fixture, {
      db,
      env: process.env,
      invoke: options.invoke,
      testData: !options.intoAnalytics,
    }),
  );

/** How the execution really ended, from its output and the order it left (./saga-outcome.ts). */
export const reportOfExecution = (execution: EndedExecution, orderId: string): Promise<SagaReport> =>
  withDb(async (db) => {
    const { Item } = await db.send(
      new GetCommand({
        TableName: process.env[tables.orders.envVar],
        Key: { orderId },
        ConsistentRead: true,
        ProjectionExpression: '#status, failureReason',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return sagaOutcome(execution, Item as { status?: string; failureReason?: string } | undefined);
  });
