/** The tables and user pool CDK would deploy, in DynamoDB Local and cognito-local (./database-emulators.ts). */
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { tableList, tables } from '../../tables';
import { ensureTables, ensureUserPool, physicalTableName } from '../bootstrap';
import type { Platform } from './types';

export const TABLE_PREFIX = 'ecicomm';

/** The tables (created if missing) by their keys, and the user pool and its client. */
export async function ensureTablesAndUserPool(
  dynamoClient: DynamoDBClient,
  cognito: CognitoIdentityProviderClient,
  dataDir: string,
) {
  // Two emulators: both at once.
  const [, { userPoolId, clientId }] = await Promise.all([
    ensureTables(dynamoClient, TABLE_PREFIX, tableList),
    ensureUserPool(cognito, path.join(dataDir, 'cognito', 'pool.json')),
  ]);
  const tableNames = Object.fromEntries(
    Object.entries(tables).map(([key, spec]) => [key, physicalTableName(TABLE_PREFIX, spec)]),
  ) as Platform['tableNames'];
  return { tableNames, userPoolId, clientId };
}

/** The tables' environment variables, as the stacks set them on each function. */
export const tableEnvironment = () =>
  Object.fromEntries(tableList.map((spec) => [spec.envVar, physicalTableName(TABLE_PREFIX, spec)]));
