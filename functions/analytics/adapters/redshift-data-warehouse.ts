import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type ColumnMetadata,
  type DescribeStatementResponse,
  type Field,
  type GetStatementResultResponse,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import { runMigrations } from '../domain/migrations';
import {
  LOAD_LIMITS,
  WarehouseError,
  type ExecuteResult,
  type MigrationReport,
  type Row,
  type SqlValue,
  type Statement,
  type Warehouse,
} from '../ports';

/** What the adapter needs of a RedshiftDataClient: a real client, or a scripted fake in tests. */
export interface RedshiftDataSender {
  send(command: any): Promise<any>;
}

export interface RedshiftDataConfig {
  workgroupName: string;
  database: string;
  /** Secrets Manager secret with the database credentials; without it the caller's IAM identity is used. */
  secretArn?: string;
  /** DescribeStatement polling: first delay, growth factor and ceiling (ms). */
  poll?: { initialMs?: number; factor?: number; maxMs?: number };
  /** Give up waiting on a statement after this long (ms). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** BatchExecuteStatement takes at most 40 SQL statements. */
export const MAX_BATCH_STATEMENTS = 40;

/** What the placeholder scan skips (quoted text and identifiers, to their end or the SQL's; `--` comments), or a `$n`. */
const PLACEHOLDER = /'[^']*(?:'|$)|"[^"]*(?:"|$)|--[^\n]*|\$(\d+)/g;

/**
 * Rewrites `$n` placeholders to the Data API's named `:<prefix>n`, skipping quoted text and comments. A batch's
 * parameters are common to all its statements, so each statement of a batch has a prefix of its own
 * (batchPrefix). The Data API has no null parameter and rejects an empty value, so those are written into the
 * SQL as literals (NULL, ''); everything else travels as a string parameter Redshift converts on use. Either way
 * a placeholder grows by at most PARAMETER_NAME_GROWTH_BYTES (the loads size their statements on it).
 */
export function toNamedParameters(
  sql: string,
  params: readonly SqlValue[] = [],
  prefix = 'p',
): { sql: string; parameters: SqlParameter[] } {
  const parameters = new Map<string, SqlParameter>();
  const named = sql.replace(PLACEHOLDER, (match: string, digits: string | undefined) => {
    if (digits === undefined) return match;
    const n = Number(digits);
    if (n < 1 || n > params.length)
      throw new WarehouseError(`SQL references $${n} but ${params.length} parameter(s) were given`, { sql });
    const value = params[n - 1];
    if (value === null) return 'NULL';
    if (value === '') return "''";
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new WarehouseError(`Parameter $${n} is not a finite number`, { sql });
    const name = `${prefix}${n}`;
    if (!parameters.has(name)) parameters.set(name, { name, value: String(value) });
    return `:${name}`;
  });
  return { sql: named, parameters: [...parameters.values()] };
}

/** The prefix of the i-th statement's parameter names in a batch: a, b, … z, ba, bb, … (base 26, lowercase). */
export function batchPrefix(i: number): string {
  let prefix = '';
  do {
    prefix = String.fromCharCode(97 + (i % 26)) + prefix;
    i = Math.floor(i / 26);
  } while (i > 0);
  return prefix;
}

/** Maps one Data API record to a row by the column metadata's names. */
export function toRow(record: Field[], columns: ColumnMetadata[]): Row {
  const row: Row = {};
  record.forEach((field, i) => {
    const column = columns[i];
    const name = column?.name ?? column?.label ?? `column${i + 1}`;
    row[name] = fieldValue(field, column?.typeName);
  });
  return row;
}

function fieldValue(field: Field, typeName: string | undefined): SqlValue {
  if (field.isNull) return null;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.stringValue !== undefined) {
    // NUMERIC/DECIMAL arrive as text; the port hands out numbers (as the PGlite adapter does).
    return typeName && /^(numeric|decimal)/i.test(typeName) ? Number(field.stringValue) : field.stringValue;
  }
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  throw new WarehouseError(`Unsupported field in result: ${JSON.stringify(field)}`);
}

const TERMINAL = new Set(['FINISHED', 'FAILED', 'ABORTED']);
/** The longest DescribeStatement may wait for a statement to end. */
const MAX_WAIT_SECONDS = 30;

/** The cloud warehouse: Redshift Serverless through the Redshift Data API (asynchronous: submit, poll, fetch). */
export class RedshiftDataWarehouse implements Warehouse {
  readonly loadLimits = LOAD_LIMITS.redshift;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: RedshiftDataSender,
    private readonly config: RedshiftDataConfig,
  ) {
    this.sleep = config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  migrate(): Promise<MigrationReport> {
    return runMigrations(this, { dialect: 'redshift' });
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<ExecuteResult> {
    const done = await this.run(sql, params);
    return { rowsAffected: Math.max(0, done.ResultRows ?? 0) };
  }

  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const done = await this.run(sql, params);
    if (done.HasResultSet === false) return [];
    const rows: Row[] = [];
    let columns: ColumnMetadata[] = [];
    let nextToken: string | undefined;
    do {
      const page: GetStatementResultResponse = await this.client.send(
        new GetStatementResultCommand({ Id: done.Id, ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      if (page.ColumnMetadata?.length) columns = page.ColumnMetadata;
      for (const record of page.Records ?? []) rows.push(toRow(record, columns));
      nextToken = page.NextToken;
    } while (nextToken);
    return rows as T[];
  }

  async batch(statements: readonly Statement[]): Promise<ExecuteResult[]> {
    if (statements.length === 0) return [];
    if (statements.length > MAX_BATCH_STATEMENTS) {
      throw new WarehouseError(
        `A Redshift batch takes at most ${MAX_BATCH_STATEMENTS} statements, got ${statements.length}`,
      );
    }
    const sqls: string[] = [];
    const parameters: SqlParameter[] = [];
    statements.forEach((s, i) => {
      const named = toNamedParameters(s.sql, s.params, batchPrefix(i));
      sqls.push(named.sql);
      for (const p of named.parameters) parameters.push(p);
    });
    const submitted = await this.client.send(
      new BatchExecuteStatementCommand({
        Sqls: sqls,
        ...this.target(),
        ...(parameters.length ? { Parameters: parameters } : {}),
      }),
    );
    const done = await this.wait(submitted.Id, sqls.join(';\n'));
    const subs = done.SubStatements ?? [];
    return statements.map((_, i) => ({ rowsAffected: Math.max(0, subs[i]?.ResultRows ?? 0) }));
  }

  async close(): Promise<void> {
    // The client belongs to the caller (one per Lambda container); nothing is held open per warehouse.
  }

  private target() {
    return {
      WorkgroupName: this.config.workgroupName,
      Database: this.config.database,
      ...(this.config.secretArn ? { SecretArn: this.config.secretArn } : {}),
    };
  }

  private async run(sql: string, params: readonly SqlValue[]): Promise<DescribeStatementResponse> {
    const named = toNamedParameters(sql, params);
    const submitted = await this.client.send(
      new ExecuteStatementCommand({
        Sql: named.sql,
        ...this.target(),
        ...(named.parameters.length ? { Parameters: named.parameters } : {}),
      }),
    );
    return this.wait(submitted.Id, named.sql);
  }

  private async wait(id: string | undefined, sql: string): Promise<DescribeStatementResponse> {
    if (!id) throw new WarehouseError('The Data API returned no statement id', { sql });
    const { initialMs = 50, factor = 2, maxMs = 2_000 } = this.config.poll ?? {};
    const deadline = Date.now() + (this.config.timeoutMs ?? 300_000);
    let delay = initialMs;
    for (;;) {
      // The Data API holds the answer until the statement ends (or WaitTimeSeconds pass, at most 30): most
      // statements are then described once, as soon as they end, rather than after a polling delay.
      const waitSeconds = Math.min(MAX_WAIT_SECONDS, Math.floor((deadline - Date.now()) / 1000));
      const d: DescribeStatementResponse = await this.client.send(
        new DescribeStatementCommand({ Id: id, ...(waitSeconds > 0 ? { WaitTimeSeconds: waitSeconds } : {}) }),
      );
      if (d.Status && TERMINAL.has(d.Status)) {
        if (d.Status === 'FINISHED') return d;
        const failed = d.SubStatements?.find((s) => s.Error);
        const message = d.Error ?? failed?.Error ?? 'no error message';
        throw new WarehouseError(`Redshift statement ${id} ${d.Status}: ${message}`, {
          statementId: id,
          status: d.Status,
          sql,
        });
      }
      if (Date.now() + delay > deadline) {
        throw new WarehouseError(
          `Redshift statement ${id} still ${d.Status ?? 'unknown'} after ${this.config.timeoutMs ?? 300_000} ms`,
          {
            statementId: id,
            status: d.Status,
            sql,
          },
        );
      }
      await this.sleep(delay);
      delay = Math.min(delay * factor, maxMs);
    }
  }
}
