/**
 * The statements the emulator has been given, as DescribeStatement and GetStatementResult find them: a batch's
 * sub-statements are `<id>:<n>` (n from 1), as on Redshift. The store keeps the most recent MAX_STATEMENTS
 * (Redshift keeps results for 24 hours; the platform's statements are many and small).
 */
import { randomUUID } from 'node:crypto';
import { statementNotFound } from './errors';
import type { Status, StatementOutcome } from './types';

const MAX_STATEMENTS = 5_000;

export interface SubStatement {
  id: string;
  queryString: string;
  status: Status;
  error?: string;
  createdAt: number;
  updatedAt: number;
  outcome?: StatementOutcome;
}

export interface StatementRecord {
  id: string;
  batch: boolean;
  status: Status;
  error?: string;
  createdAt: number;
  updatedAt: number;
  /** What the request named: Database, WorkgroupName / ClusterIdentifier, SecretArn / DbUser, Parameters. */
  request: Record<string, unknown>;
  subs: SubStatement[];
  /** Settles when the statement has reached FINISHED, FAILED or ABORTED. */
  done: Promise<void>;
}

export class StatementStore {
  private readonly records = new Map<string, StatementRecord>();

  create(
    queryStrings: readonly string[],
    batch: boolean,
    request: Record<string, unknown>,
    done: (record: StatementRecord) => Promise<void>,
  ): StatementRecord {
    const id = randomUUID();
    const now = Date.now();
    const subs = queryStrings.map((queryString, i) => ({
      id: batch ? `${id}:${i + 1}` : id,
      queryString,
      status: 'SUBMITTED' as Status,
      createdAt: now,
      updatedAt: now,
    }));
    const record: StatementRecord = {
      id,
      batch,
      status: 'SUBMITTED',
      createdAt: now,
      updatedAt: now,
      request,
      subs,
      done: Promise.resolve(),
    };
    this.records.set(id, record);
    if (this.records.size > MAX_STATEMENTS) this.records.delete(this.records.keys().next().value!);
    record.done = done(record);
    return record;
  }

  /** A statement by its id, or one of a batch's by `<id>:<n>`. */
  find(id: string): { record: StatementRecord; sub?: SubStatement } {
    const [parentId, n] = id.split(':', 2) as [string, string?];
    const record = this.records.get(parentId);
    if (!record) throw statementNotFound(id);
    if (n === undefined) return { record };
    const sub = record.batch ? record.subs[Number(n) - 1] : undefined;
    if (!sub || !/^\d+$/.test(n)) throw statementNotFound(id);
    return { record, sub };
  }
}

/** Resolves once the statement is done, or after `seconds` (WaitTimeSeconds), whichever comes first. */
export async function waitFor(record: StatementRecord, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([record.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, seconds * 1000)))]);
  clearTimeout(timer);
}
