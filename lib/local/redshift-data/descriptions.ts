/**
 * What DescribeStatement and GetStatementResult answer about a statement, in the Data API's shapes: times as
 * epoch seconds, Duration in nanoseconds (-1 until it ends), ResultRows the rows returned or changed (-1 unknown),
 * results in pages of RESULT_PAGE_RECORDS records chained by NextToken.
 */
import { validation } from './errors';
import { columnMetadata, toRecord } from './results';
import type { StatementRecord, SubStatement } from './statements';
import type { Json, StatementOutcome } from './types';

export const RESULT_PAGE_RECORDS = 1_000;

const seconds = (ms: number) => ms / 1000;
const ended = (status: string) => status === 'FINISHED' || status === 'FAILED' || status === 'ABORTED';
const hasResultSet = (outcome?: StatementOutcome) => (outcome?.fields.length ?? 0) > 0;
const resultRows = (outcome?: StatementOutcome) =>
  !outcome ? -1 : hasResultSet(outcome) ? outcome.rows.length : outcome.affectedRows;
const resultSize = (outcome?: StatementOutcome) =>
  hasResultSet(outcome) ? Buffer.byteLength(JSON.stringify(outcome!.rows)) : 0;

function describeSub(sub: SubStatement): Json {
  return {
    Id: sub.id,
    Status: sub.status,
    CreatedAt: seconds(sub.createdAt),
    UpdatedAt: seconds(sub.updatedAt),
    Duration: ended(sub.status) ? (sub.updatedAt - sub.createdAt) * 1e6 : -1,
    ...(sub.error ? { Error: sub.error } : {}),
    QueryString: sub.queryString,
    HasResultSet: hasResultSet(sub.outcome),
    ResultRows: resultRows(sub.outcome),
    ResultSize: resultSize(sub.outcome),
    RedshiftQueryId: 0,
  };
}

export function describe(record: StatementRecord, sub?: SubStatement): Json {
  const { Parameters, ...target } = record.request;
  const about = sub ?? (record.batch ? undefined : record.subs[0]);
  const subs = record.subs.map(describeSub);
  // A batch's own description leaves its SQL to its SubStatements' QueryString: repeating every statement's
  // text (a load's batch is up to 2 MB of it) would double what each DescribeStatement of it carries.
  const own = about
    ? describeSub(about)
    : {
        ...describeSub({ ...record, queryString: undefined } as unknown as SubStatement),
        HasResultSet: subs.some((s) => s.HasResultSet),
        ResultRows: subs.reduce((n, s) => n + Math.max(0, s.ResultRows as number), 0),
      };
  return {
    ...own,
    // A batch is described by its own id; a statement of it (`<id>:<n>`) by the statement's.
    ...(sub ? {} : { Id: record.id }),
    ...(Parameters ? { QueryParameters: Parameters } : {}),
    ...Object.fromEntries(Object.entries(target).filter(([, v]) => v !== undefined)),
    RedshiftPid: process.pid,
    ...(record.batch && !sub ? { SubStatements: subs } : {}),
  };
}

export function resultPage(record: StatementRecord, sub: SubStatement | undefined, nextToken: unknown): Json {
  if (record.batch && !sub)
    throw validation(`${record.id} is a batch: ask for the result of one of its statements, ${record.id}:<n>.`);
  const statement = sub ?? record.subs[0]!;
  if (statement.status !== 'FINISHED')
    throw validation(`Query ${statement.id} has not finished: it is ${statement.status}.`);
  const outcome = statement.outcome;
  if (!outcome || !hasResultSet(outcome))
    throw validation('Query does not have result. Please check query status with DescribeStatement.');
  const start = offsetOf(nextToken, statement.id);
  const end = Math.min(start + RESULT_PAGE_RECORDS, outcome.rows.length);
  return {
    ColumnMetadata: columnMetadata(outcome),
    Records: outcome.rows.slice(start, end).map((row) => toRecord(row, outcome)),
    TotalNumRows: outcome.rows.length,
    ...(end < outcome.rows.length
      ? { NextToken: Buffer.from(JSON.stringify({ id: statement.id, offset: end })).toString('base64url') }
      : {}),
  };
}

function offsetOf(token: unknown, id: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as {
      id?: unknown;
      offset?: unknown;
    };
    if (parsed.id === id && Number.isInteger(parsed.offset) && (parsed.offset as number) > 0)
      return parsed.offset as number;
  } catch {
    // Not one of ours: refused below.
  }
  throw validation('NextToken is not valid for this statement.');
}
