import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeUserPoolCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
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
