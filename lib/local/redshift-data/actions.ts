/**
 * The Data API actions the platform's adapter sends (functions/analytics/adapters): ExecuteStatement,
 * BatchExecuteStatement (one transaction, as Redshift runs a batch by default), DescribeStatement and
 * GetStatementResult, each honouring WaitTimeSeconds (up to 30 s: answer once the statement is done, or then).
 */
import type { Database } from './database';
import { validation } from './errors';
import { execute, prepare } from './execution';
import { parameters, sqlList, sqlText, statementId, target, waitSeconds } from './input';
import { describe, resultPage } from './descriptions';
import { waitFor, type StatementStore } from './statements';
import type { Json, WarehouseTarget } from './types';

export type Action = (input: Json) => Promise<Json>;

export function createActions(
  store: StatementStore,
  database: Database,
  warehouse: WarehouseTarget,
): Record<string, Action> {
  const submit = async (input: Json, sqls: string[], batch: boolean): Promise<Json> => {
    const { identity, request } = target(input, warehouse);
    const wait = waitSeconds(input.WaitTimeSeconds);
    const given = parameters(input.Parameters);
    const statements = prepare(sqls, given);
    const transaction = input.ExecutionMode === undefined || input.ExecutionMode === 'TRANSACTION';
    if (!transaction && input.ExecutionMode !== 'AUTO_COMMIT')
      throw validation('ExecutionMode must be TRANSACTION or AUTO_COMMIT.');
    const queryParameters = given.length ? { Parameters: given } : {};
    const record = store.create(sqls, batch, { ...request, ...queryParameters }, (r) =>
      execute(database, r, statements, identity, batch && transaction),
    );
    await waitFor(record, wait);
    const { Database: db, WorkgroupName, ClusterIdentifier, SecretArn, DbUser } = record.request;
    return {
      Id: record.id,
      CreatedAt: record.createdAt / 1000,
      Status: record.status,
      Database: db,
      WorkgroupName,
      ClusterIdentifier,
      SecretArn,
      DbUser,
    };
  };
  return {
    ExecuteStatement: (input) => submit(input, [sqlText(input.Sql, 'Sql')], false),
    BatchExecuteStatement: (input) => submit(input, sqlList(input.Sqls), true),
    DescribeStatement: async (input) => {
      const found = store.find(statementId(input.Id));
      await waitFor(found.record, waitSeconds(input.WaitTimeSeconds));
      return describe(found.record, found.sub);
    },
    GetStatementResult: async (input) => {
      const found = store.find(statementId(input.Id));
      await waitFor(found.record, waitSeconds(input.WaitTimeSeconds));
      return resultPage(found.record, found.sub, input.NextToken);
    },
  };
}
