import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeUserPoolCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Warehouse } from '../../analytics/warehouse/port';
import type { HealthProbe } from '../ports';

export const dynamoProbe = (client: DynamoDBClient, tableName: string): HealthProbe => ({
  name: 'dynamodb',
  check: async (abortSignal) => {
    await client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal });
  },
});

export const identityProbe = (client: CognitoIdentityProviderClient, userPoolId: string): HealthProbe => ({
  name: 'identity',
  check: async (abortSignal) => {
    await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }), { abortSignal });
  },
});

export const kinesisProbe = (client: KinesisClient, streamName: string): HealthProbe => ({
  name: 'kinesis',
  check: async (abortSignal) => {
    await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), { abortSignal });
  },
});

/**
 * The warehouse answers a trivial query. Its first query opens the engine — PGlite's WASM start locally
 * (2-3 s), a Redshift Serverless workgroup resuming from idle in AWS — so it gets a longer bound than the
 * other probes: a tighter one would report an idle warehouse as down.
 */
export const warehouseProbe = (warehouse: Pick<Warehouse, 'query'>, timeoutMs = 10_000): HealthProbe => ({
  name: 'warehouse',
  timeoutMs,
  check: async () => {
    await warehouse.query('SELECT 1 AS ok');
  },
});
