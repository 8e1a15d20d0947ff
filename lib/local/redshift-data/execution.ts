/**
 * Running a submitted statement on the engine: the SQL's named parameters made positional and Redshift's access
 * control made Postgres' (dialect.ts), run as the caller's identity; the outcome (or the error Postgres gave)
 * recorded on the statement and its sub-statements, as DescribeStatement reports them.
 */
import type { Database } from './database';
import { toPostgres } from './dialect';
import { EngineError } from './engine';
import { parameterValues, toPositional, type SqlParameter } from './parameters';
import type { StatementRecord } from './statements';
import type { Identity, SqlStatement } from './types';

/** Prepares the statements before the statement is accepted: a parameter the SQL names without a value is refused. */
export function prepare(sqls: readonly string[], parameters: readonly SqlParameter[]): SqlStatement[] {
  const values = parameterValues(parameters);
  return sqls.map((sql) => {
    const positional = toPositional(sql, values);
    return { sql: toPostgres(positional.sql), params: positional.params };
  });
}

/** `transaction`: the statements commit together or not at all (a batch); otherwise each commits on its own. */
export async function execute(
  database: Database,
  record: StatementRecord,
  statements: SqlStatement[],
  identity: Identity,
  transaction: boolean,
): Promise<void> {
  await Promise.resolve();
  mark(record, 'STARTED');
  try {
    const outcomes = await database.run(statements, { asReader: identity === 'reader', transaction });
    const now = Date.now();
    record.subs.forEach((sub, i) => Object.assign(sub, { status: 'FINISHED', updatedAt: now, outcome: outcomes[i] }));
    mark(record, 'FINISHED');
  } catch (e) {
    fail(record, e);
  }
}

function mark(record: StatementRecord, status: 'STARTED' | 'FINISHED') {
  const now = Date.now();
  record.status = status;
  record.updatedAt = now;
  if (status === 'STARTED') for (const sub of record.subs) Object.assign(sub, { status, updatedAt: now });
}

/** The statement FAILED with Postgres' message; in a batch the failing one FAILED, the ones after it ABORTED. */
function fail(record: StatementRecord, e: unknown) {
  const now = Date.now();
  const message = e instanceof Error ? e.message : String(e);
  const failedAt =
    e instanceof EngineError && e.statementIndex !== undefined ? e.statementIndex : record.subs.length - 1;
  record.subs.forEach((sub, i) => {
    sub.updatedAt = now;
    if (i < failedAt) sub.status = 'FINISHED';
    else if (i === failedAt) Object.assign(sub, { status: 'FAILED', error: `ERROR: ${message}` });
    else sub.status = 'ABORTED';
  });
  Object.assign(record, { status: 'FAILED', error: `ERROR: ${message}`, updatedAt: now });
}
