/** The tables and user pool CDK would deploy, in DynamoDB Local and cognito-local (./database-emulators.ts). */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { paginateListTables, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { streamedTables } from '../../table-streams';
import { tableList, tables } from '../../tables';
import { ensureTables, ensureUserPool, physicalTableName } from '../bootstrap';
import { dynamoDataDir } from './database-emulators';
import { indexStreamRecords } from '../dynamodb-local/stream-record-index';
import type { Platform, PlatformOptions } from './types';

export const TABLE_PREFIX = 'ecicomm';

/** The tables (created if missing) by their keys, and the user pool and its client. */
export async function ensureTablesAndUserPool(
  dynamoClient: DynamoDBClient,
  cognito: CognitoIdentityProviderClient,
  options: Pick<PlatformOptions, 'dataDir' | 'persist'>,
  log: (message: string) => void,
) {
  const dynamoDir = dynamoDataDir(options);
  // Two emulators: both at once.
  const [, { userPoolId, clientId }] = await Promise.all([
    ensurePlatformTables(dynamoClient, dynamoDir).then(() =>
      dynamoDir === undefined ? undefined : indexStreamRecordsOrSay(dynamoDir, log),
    ),
    ensureUserPool(cognito, path.join(options.dataDir, 'cognito', 'pool.json')),
  ]);
  const tableNames = Object.fromEntries(
    Object.entries(tables).map(([key, spec]) => [key, physicalTableName(TABLE_PREFIX, spec)]),
  ) as Platform['tableNames'];
  return { tableNames, userPoolId, clientId };
}

/** The tables' environment variables, as the stacks set them on each function. */
export const tableEnvironment = () =>
  Object.fromEntries(tableList.map((spec) => [spec.envVar, physicalTableName(TABLE_PREFIX, spec)]));

/**
 * The tables of tableList, in a database kept in `dynamoDir` (or in memory). A restart finds them as the start
 * that recorded this list's fingerprint (the tables and which of them have a stream) beside the database left them:
 * one ListTables confirms them, where checking each table, its TTL, its stream and its indexes costs a JVM that just
 * started about a second.
 */
async function ensurePlatformTables(client: DynamoDBClient, dynamoDir: string | undefined): Promise<void> {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ TABLE_PREFIX, tableList, streamedTables }))
    .digest('hex');
  const record = dynamoDir && path.join(dynamoDir, 'tables.sha256');
  if (record && recorded(record) === fingerprint && (await allTablesListed(client))) return;
  await ensureTables(client, TABLE_PREFIX, tableList);
  if (record) writeFileSync(record, fingerprint);
}

const recorded = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

async function allTablesListed(client: DynamoDBClient): Promise<boolean> {
  const listed = new Set<string>();
  for await (const page of paginateListTables({ client }, {}))
    for (const name of page.TableNames ?? []) listed.add(name);
  return tableList.every((spec) => listed.has(physicalTableName(TABLE_PREFIX, spec)));
}

/** The stream records' index (../dynamodb-local/stream-record-index.ts); without it the platform works, slower. */
async function indexStreamRecordsOrSay(dynamoDir: string, log: (message: string) => void): Promise<void> {
  await indexStreamRecords(dynamoDir).catch((e: unknown) =>
    log(
      `DynamoDB Local: its stream records are not indexed, so writes slow down as they accumulate (${(e as Error).message.split('\n')[0]})`,
    ),
  );
}
