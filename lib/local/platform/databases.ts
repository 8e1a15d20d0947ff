/** DynamoDB Local and cognito-local (child processes), and the tables and user pool CDK would deploy. */
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { tableList, tables } from '../../tables';
import { ensureTables, ensureUserPool, physicalTableName } from '../bootstrap';
import { startCognitoLocal, startDynamoDbLocal, type Emulator } from '../emulators';
import type { Platform, PlatformOptions } from './types';
import { recordEmulatorPids } from './data-dir';

export const TABLE_PREFIX = 'ecicomm';

/** Starts both at once; each one started is in `emulators` (to be stopped) even when the other fails. */
export async function startDatabaseEmulators(
  options: PlatformOptions,
  emulators: Emulator[],
  log: (message: string) => void,
) {
  const { dataDir } = options;
  const persist = options.persist ?? true;
  const started = await Promise.allSettled([
    startDynamoDbLocal({
      port: options.dynamoPort ?? 8000,
      dataDir: persist ? path.join(dataDir, 'dynamodb') : undefined,
    }),
    startCognitoLocal({ port: options.cognitoPort ?? 9229, dataDir: path.join(dataDir, 'cognito') }),
  ]);
  for (const s of started) if (s.status === 'fulfilled') emulators.push(s.value);
  recordEmulatorPids(
    dataDir,
    emulators.map((e) => e.pid),
  );
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const [dynamoEmu, cognitoEmu] = emulators as [Emulator, Emulator];
  log(
    `DynamoDB Local on ${dynamoEmu.endpoint} (pid ${dynamoEmu.pid}); cognito-local on ${cognitoEmu.endpoint} (pid ${cognitoEmu.pid})`,
  );
  return { dynamoEmu, cognitoEmu };
}

export async function stopDatabaseEmulators(emulators: Emulator[]) {
  await Promise.all(emulators.map((e) => e.stop()));
}

/** The tables (created if missing) by their keys, and the user pool and its client. */
export async function ensureTablesAndUserPool(
  dynamoClient: DynamoDBClient,
  cognito: CognitoIdentityProviderClient,
  dataDir: string,
) {
  await ensureTables(dynamoClient, TABLE_PREFIX, tableList);
  const tableNames = Object.fromEntries(
    Object.entries(tables).map(([key, spec]) => [key, physicalTableName(TABLE_PREFIX, spec)]),
  ) as Platform['tableNames'];
  const { userPoolId, clientId } = await ensureUserPool(cognito, path.join(dataDir, 'cognito', 'pool.json'));
  return { tableNames, userPoolId, clientId };
}

/** The tables' environment variables, as the stacks set them on each function. */
export const tableEnvironment = () =>
  Object.fromEntries(tableList.map((spec) => [spec.envVar, physicalTableName(TABLE_PREFIX, spec)]));
