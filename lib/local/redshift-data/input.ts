/**
 * Checking a request's members as the Data API's model constrains them; a bad one is a ValidationException
 * naming it, before anything runs.
 */
import { validation } from './errors';
import type { SqlParameter } from './parameters';
import type { Identity, Json, WarehouseTarget } from './types';

/** The Data API takes at most 100 KB of SQL a statement (hence the loaders' 100 rows a statement). */
export const MAX_SQL_BYTES = 100 * 1024;
export const MAX_BATCH_STATEMENTS = 40;
const MAX_WAIT_SECONDS = 30;
const PARAMETER_NAME = /^[0-9a-zA-Z_]+$/;

export function sqlText(value: unknown, member: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw validation(`${member} must be a non-empty string.`);
  if (Buffer.byteLength(value) > MAX_SQL_BYTES)
    throw validation(`${member} is longer than the ${MAX_SQL_BYTES} bytes a statement may have.`);
  return value;
}

export function sqlList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_BATCH_STATEMENTS) {
    throw validation(`Sqls must be a list of 1 to ${MAX_BATCH_STATEMENTS} statements.`);
  }
  return value.map((sql, i) => sqlText(sql, `Sqls[${i}]`));
}

export function parameters(value: unknown): SqlParameter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0) throw validation('Parameters must be a non-empty list when given.');
  return value.map((p: unknown, i) => {
    const { name, value: text } = (p ?? {}) as Json;
    if (typeof name !== 'string' || !PARAMETER_NAME.test(name))
      throw validation(`Parameters[${i}].name must match ${PARAMETER_NAME.source}.`);
    if (typeof text !== 'string' || text === '') throw validation(`Parameters[${i}].value must be a non-empty string.`);
    return { name, value: text };
  });
}

export function waitSeconds(value: unknown): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_WAIT_SECONDS) {
    throw validation(`WaitTimeSeconds must be an integer from 0 to ${MAX_WAIT_SECONDS}.`);
  }
  return value as number;
}

export function statementId(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw validation('Id must be a non-empty string.');
  return value;
}

/**
 * Where the statement runs and as whom. The warehouse is one workgroup (or cluster) and database. The owner signs
 * in with the admin secret (or names its database user); any other caller is an IAM identity, which Redshift maps
 * to the readers' role (the RedshiftDbRoles tag of the readers' IAM roles) — the reader here.
 */
export function target(input: Json, warehouse: WarehouseTarget): { identity: Identity; request: Json } {
  const { WorkgroupName, ClusterIdentifier, Database, SecretArn, DbUser } = input;
  if ((WorkgroupName === undefined) === (ClusterIdentifier === undefined))
    throw validation('Give either WorkgroupName or ClusterIdentifier.');
  const name = WorkgroupName ?? ClusterIdentifier;
  if (name !== warehouse.workgroupName)
    throw validation(
      `No workgroup or cluster ${JSON.stringify(name)} here: the local warehouse is ${warehouse.workgroupName}.`,
    );
  if (Database !== undefined && Database !== warehouse.database)
    throw validation(
      `Database ${JSON.stringify(Database)} does not exist: the local warehouse's is ${warehouse.database}.`,
    );
  if (SecretArn !== undefined && SecretArn !== warehouse.adminSecretArn)
    throw validation(`Secret ${JSON.stringify(SecretArn)} cannot be read.`);
  if (DbUser !== undefined && typeof DbUser !== 'string') throw validation('DbUser must be a string.');
  const identity: Identity = SecretArn !== undefined || DbUser === warehouse.adminDbUser ? 'owner' : 'reader';
  const request = { WorkgroupName, ClusterIdentifier, Database: Database ?? warehouse.database, SecretArn, DbUser };
  return { identity, request };
}
