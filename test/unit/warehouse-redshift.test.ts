import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { loadSalesFacts, loadUserBehavior, unionSource } from '../../functions/analytics/domain/load';
import { MIGRATIONS } from '../../functions/analytics/domain/migrations';
import { LOAD_LIMITS, PARAMETER_NAME_GROWTH_BYTES, WarehouseError } from '../../functions/analytics/ports';
import {
  batchPrefix,
  MAX_BATCH_STATEMENTS,
  RedshiftDataWarehouse,
  toNamedParameters,
  type RedshiftDataSender,
} from '../../functions/analytics/adapters/redshift-data-warehouse';
import { ROUTE_STATEMENT_TIMEOUT_MS } from '../../functions/analytics/deps';
import { WAREHOUSE_FUNCTION_TIMEOUT } from '../../lib/contexts/platform-function';

type Sent = { command: string; input: Record<string, unknown> };
type Script = (command: string, input: Record<string, unknown>, sent: Sent[]) => unknown;

/** Stands in for RedshiftDataClient: records every command and answers from a script. */
function fakeClient(script: Script) {
  const sent: Sent[] = [];
  const client: RedshiftDataSender = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const entry = { command: command.constructor.name, input: command.input };
      sent.push(entry);
      return script(entry.command, entry.input, sent);
    },
  };
  return { client, sent };
}

const config = {
  workgroupName: 'ecicomm-analytics',
  database: 'analytics',
  secretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:wh-AbCdEf',
};

function warehouse(client: RedshiftDataSender, sleeps: number[] = []) {
  return new RedshiftDataWarehouse(client, { ...config, sleep: async (ms) => void sleeps.push(ms) });
}

describe('Redshift Data API warehouse adapter', () => {
  it('sends ExecuteStatement with named parameters, polls (each DescribeStatement waiting up to 30 s for the end) until FINISHED and pages through the result', async () => {
    const statuses = ['SUBMITTED', 'STARTED', 'STARTED', 'FINISHED'];
    const { client, sent } = fakeClient((command, input) => {
      if (command === 'ExecuteStatementCommand') return { Id: 'stmt-1' };
      if (command === 'DescribeStatementCommand') return { Id: 'stmt-1', Status: statuses.shift(), HasResultSet: true };
      if (command === 'GetStatementResultCommand') {
        const columns = [
          { name: 'sales_date', typeName: 'date' },
          { name: 'revenue_pence', typeName: 'int8' },
          { name: 'conversion_rate', typeName: 'float8' },
          { name: 'is_weekend', typeName: 'bool' },
          { name: 'avg_price', typeName: 'numeric' },
          { name: 'name', typeName: 'varchar' },
        ];
        return input.NextToken
          ? {
              ColumnMetadata: columns,
              Records: [
                [
                  { stringValue: '2024-03-02' },
                  { longValue: -3000 },
                  { isNull: true },
                  { booleanValue: true },
                  { stringValue: '1.25' },
                  { isNull: true },
                ],
              ],
            }
          : {
              ColumnMetadata: columns,
              Records: [
                [
                  { stringValue: '2024-03-01' },
                  { longValue: 3000 },
                  { doubleValue: 0.5 },
                  { booleanValue: false },
                  { stringValue: '12.50' },
                  { stringValue: 'Mug' },
                ],
              ],
              NextToken: 'page-2',
            };
      }
      throw new Error(`unexpected ${command}`);
    });
    const sleeps: number[] = [];
    const rows = await warehouse(client, sleeps).query(
      'SELECT * FROM daily_sales_summary WHERE sales_date BETWEEN CAST($1 AS DATE) AND CAST($2 AS DATE) AND currency = $3',
      ['2024-03-01', '2024-03-02', 'GBP'],
    );

    expect(sent[0]).toEqual({
      command: 'ExecuteStatementCommand',
      input: {
        Sql: 'SELECT * FROM daily_sales_summary WHERE sales_date BETWEEN CAST(:p1 AS DATE) AND CAST(:p2 AS DATE) AND currency = :p3',
        Parameters: [
          { name: 'p1', value: '2024-03-01' },
          { name: 'p2', value: '2024-03-02' },
          { name: 'p3', value: 'GBP' },
        ],
        WorkgroupName: 'ecicomm-analytics',
        Database: 'analytics',
        SecretArn: config.secretArn,
      },
    });
    expect(sent.slice(1, 5)).toEqual(
      Array(4).fill({ command: 'DescribeStatementCommand', input: { Id: 'stmt-1', WaitTimeSeconds: 30 } }),
    );
    expect(sleeps).toEqual([50, 100, 200]);
    expect(sent.slice(5)).toEqual([
      { command: 'GetStatementResultCommand', input: { Id: 'stmt-1' } },
      { command: 'GetStatementResultCommand', input: { Id: 'stmt-1', NextToken: 'page-2' } },
    ]);
    expect(rows).toEqual([
      {
        sales_date: '2024-03-01',
        revenue_pence: 3000,
        conversion_rate: 0.5,
        is_weekend: false,
        avg_price: 12.5,
        name: 'Mug',
      },
      {
        sales_date: '2024-03-02',
        revenue_pence: -3000,
        conversion_rate: null,
        is_weekend: true,
        avg_price: 1.25,
        name: null,
      },
    ]);
  });

  it('runs a batch as one BatchExecuteStatement whose statements share one parameter list, each naming its own with a letter', async () => {
    const { client, sent } = fakeClient((command) => {
      if (command === 'BatchExecuteStatementCommand') return { Id: 'batch-1' };
      return {
        Id: 'batch-1',
        Status: 'FINISHED',
        SubStatements: [
          { Id: 'batch-1:1', ResultRows: 2 },
          { Id: 'batch-1:2', ResultRows: 1 },
        ],
      };
    });
    const results = await warehouse(client).batch([
      {
        sql: 'DELETE FROM dim_products WHERE product_id = $1 AND updated_ts <= CAST($2 AS TIMESTAMP)',
        params: ['p1', '2024-01-01 00:00:00.000'],
      },
      { sql: 'INSERT INTO t (a, b, c) VALUES ($1, $2, $3)', params: ['p1', null, true] },
    ]);
    expect(sent[0]).toEqual({
      command: 'BatchExecuteStatementCommand',
      input: {
        Sqls: [
          'DELETE FROM dim_products WHERE product_id = :a1 AND updated_ts <= CAST(:a2 AS TIMESTAMP)',
          'INSERT INTO t (a, b, c) VALUES (:b1, NULL, :b3)',
        ],
        Parameters: [
          { name: 'a1', value: 'p1' },
          { name: 'a2', value: '2024-01-01 00:00:00.000' },
          { name: 'b1', value: 'p1' },
          { name: 'b3', value: 'true' },
        ],
        WorkgroupName: 'ecicomm-analytics',
        Database: 'analytics',
        SecretArn: config.secretArn,
      },
    });
    expect(sent[1]).toEqual({ command: 'DescribeStatementCommand', input: { Id: 'batch-1', WaitTimeSeconds: 30 } });
    expect(results).toEqual([{ rowsAffected: 2 }, { rowsAffected: 1 }]);
  });

  it('lets DescribeStatement wait no longer than the statement’s timeout leaves', async () => {
    const statuses = ['STARTED', 'FINISHED'];
    const { client, sent } = fakeClient((command) =>
      command === 'ExecuteStatementCommand' ? { Id: 's' } : { Id: 's', Status: statuses.shift(), HasResultSet: false },
    );
    await new RedshiftDataWarehouse(client, { ...config, timeoutMs: 4_500, sleep: async () => undefined }).execute(
      'SELECT 1',
    );
    expect(sent.slice(1).map((s) => s.input)).toEqual([
      { Id: 's', WaitTimeSeconds: 4 },
      { Id: 's', WaitTimeSeconds: 4 },
    ]);
    const { client: late, sent: lateSent } = fakeClient((command) =>
      command === 'ExecuteStatementCommand' ? { Id: 's' } : { Id: 's', Status: 'FINISHED', HasResultSet: false },
    );
    await new RedshiftDataWarehouse(late, { ...config, timeoutMs: 900 }).execute('SELECT 1');
    expect(lateSent[1]!.input).toEqual({ Id: 's' });
  });

  it('surfaces a FAILED statement with the error Redshift reported', async () => {
    const { client } = fakeClient((command) =>
      command === 'ExecuteStatementCommand'
        ? { Id: 'stmt-9' }
        : { Id: 'stmt-9', Status: 'FAILED', Error: 'ERROR: relation "sales_factz" does not exist' },
    );
    const err = await warehouse(client)
      .execute('DELETE FROM sales_factz')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as WarehouseError).message).toBe(
      'Redshift statement stmt-9 FAILED: ERROR: relation "sales_factz" does not exist',
    );
    expect((err as WarehouseError).details).toMatchObject({ statementId: 'stmt-9', status: 'FAILED' });
  });

  it('reports the failing sub-statement of an ABORTED batch', async () => {
    const { client } = fakeClient((command) =>
      command === 'BatchExecuteStatementCommand'
        ? { Id: 'b-2' }
        : {
            Id: 'b-2',
            Status: 'ABORTED',
            SubStatements: [{ Id: 'b-2:1', Status: 'ABORTED', Error: 'serializable isolation violation' }],
          },
    );
    await expect(warehouse(client).batch([{ sql: 'SELECT 1' }])).rejects.toThrow(
      'Redshift statement b-2 ABORTED: serializable isolation violation',
    );
  });

  it('gives up on a statement that outlives its timeout', async () => {
    const { client } = fakeClient((command) =>
      command === 'ExecuteStatementCommand' ? { Id: 's' } : { Id: 's', Status: 'STARTED' },
    );
    const wh = new RedshiftDataWarehouse(client, { ...config, timeoutMs: 0, sleep: async () => {} });
    await expect(wh.execute('SELECT 1')).rejects.toThrow(/still STARTED/);
  });

  it('gives a route time to answer 503 itself: two rounds of statements at the route timeout, plus a cold start, fit in the function timeout', () => {
    const coldStartMs = 3_000;
    expect(2 * ROUTE_STATEMENT_TIMEOUT_MS + coldStartMs).toBeLessThanOrEqual(
      WAREHOUSE_FUNCTION_TIMEOUT.toMilliseconds(),
    );
  });

  it('applies each migration as one BatchExecuteStatement ending with its schema_migrations row', async () => {
    const { client, sent } = fakeClient((command, input) => {
      if (command === 'ExecuteStatementCommand' || command === 'BatchExecuteStatementCommand')
        return { Id: `id-${sent.length}` };
      if (command === 'DescribeStatementCommand') return { Id: input.Id, Status: 'FINISHED', HasResultSet: true };
      return { ColumnMetadata: [{ name: 'version' }], Records: [[{ longValue: 1 }]] };
    });
    const report = await new RedshiftDataWarehouse(client, { ...config, sleep: async () => {} }).migrate();
    expect(report).toEqual({ applied: MIGRATIONS.slice(1).map((m) => m.version), alreadyApplied: [1] });
    const batches = sent
      .filter((s) => s.command === 'BatchExecuteStatementCommand')
      .map((s) => s.input as { Sqls: string[]; Parameters: unknown[] });
    expect(batches).toHaveLength(MIGRATIONS.length - 1);
    for (const b of batches) {
      expect(b.Sqls.length).toBeLessThanOrEqual(40);
      expect(b.Sqls.join('\n')).not.toMatch(/\$\d|ON CONFLICT|SERIAL|CREATE INDEX|generate_series/i);
      const p = batchPrefix(b.Sqls.length - 1);
      expect(b.Sqls.at(-1)).toBe(
        `INSERT INTO schema_migrations (version, name, applied_ts) VALUES (:${p}1, :${p}2, CAST(:${p}3 AS TIMESTAMP))`,
      );
    }
    const p = batchPrefix(batches[0].Sqls.length - 1);
    expect(batches[0].Parameters.slice(0, 2)).toEqual([
      { name: `${p}1`, value: '2' },
      { name: `${p}2`, value: 'populate dim_dates' },
    ]);
  });

  it('loads clickstream rows with absent fields as NULL literals, not parameters', async () => {
    const { client, sent } = fakeClient((command) =>
      command === 'BatchExecuteStatementCommand'
        ? { Id: 'b' }
        : { Id: 'b', Status: 'FINISHED', SubStatements: [{ Id: 'b:1', ResultRows: 1 }] },
    );
    const result = await loadUserBehavior(
      warehouse(client),
      [{ eventId: 'e1', sessionId: 's1', eventType: 'page_view', eventTs: '2024-03-01T11:00:00Z' }],
      { now: () => new Date('2024-03-01T11:00:05Z') },
    );
    expect(result).toEqual({ received: 1, inserted: 1 });
    const input = sent[0].input as { Sqls: string[]; Parameters: unknown[] };
    expect(input.Sqls).toEqual([
      'INSERT INTO user_behavior (event_id, session_id, user_id, event_type, product_id, query, value_pence, event_ts, event_date, loaded_ts, result_count) ' +
        'SELECT s.event_id, s.session_id, s.user_id, s.event_type, s.product_id, s.query, s.value_pence, s.event_ts, s.event_date, s.loaded_ts, s.result_count ' +
        'FROM (SELECT :a1::VARCHAR(160) AS event_id, :a2::VARCHAR(128) AS session_id, NULL::VARCHAR(128) AS user_id, ' +
        ':a4::VARCHAR(32) AS event_type, NULL::VARCHAR(64) AS product_id, NULL::VARCHAR(512) AS query, ' +
        'NULL::BIGINT AS value_pence, :a8::TIMESTAMP AS event_ts, :a9::DATE AS event_date, :a10::TIMESTAMP AS loaded_ts, ' +
        'NULL::INTEGER AS result_count) s ' +
        'WHERE NOT EXISTS (SELECT 1 FROM user_behavior t WHERE t.event_id = s.event_id)',
    ]);
    expect(input.Parameters).toEqual([
      { name: 'a1', value: 'e1' },
      { name: 'a2', value: 's1' },
      { name: 'a4', value: 'page_view' },
      { name: 'a8', value: '2024-03-01 11:00:00.000' },
      { name: 'a9', value: '2024-03-01' },
      { name: 'a10', value: '2024-03-01 11:00:05.000' },
    ]);
  });

  it('puts as many rows in a statement as the Data API’s 100 KB of SQL hold (not 100), each statement under it even with the longest values', async () => {
    const { client, sent } = fakeClient((command) =>
      command === 'BatchExecuteStatementCommand'
        ? { Id: 'b' }
        : {
            Id: 'b',
            Status: 'FINISHED',
            SubStatements: (sent.at(-2)!.input.Sqls as string[]).map((_, i) => ({ Id: `b:${i + 1}`, ResultRows: 1 })),
          },
    );
    const longest = (n: number) => 'x'.repeat(n);
    // No value repeated in a column (a repeated one is sent once), except the day, currency and kind.
    const rows = Array.from({ length: 1_000 }, (_, i) => ({
      eventId: `${longest(150)}${i}`,
      orderId: `${longest(60)}${i}`,
      lineNo: i + 1,
      productId: `${longest(60)}${i}`,
      customerId: `${longest(124)}${i}`,
      orderTs: new Date(Date.UTC(2024, 2, 1, 10) + i * 1000).toISOString(),
      quantity: 1_000_000 + i,
      unitPricePence: 99_999_999 - i,
      revenuePence: (1_000_000 + i) * (99_999_999 - i),
      currency: 'GBP',
      kind: 'SALE' as const,
    }));
    await loadSalesFacts(warehouse(client), rows, { now: () => new Date('2024-03-01T11:00:05Z') });
    const batches = sent
      .filter((s) => s.command === 'BatchExecuteStatementCommand')
      .map((s) => s.input as { Sqls: string[] });
    expect(batches).toHaveLength(1);
    const { Sqls } = batches[0]!;
    const rowsPerStatement = Math.ceil(rows.length / Sqls.length);
    expect(rowsPerStatement).toBeGreaterThan(300);
    for (const sql of Sqls) expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(LOAD_LIMITS.redshift.maxSqlBytes);
    // Full statements: a few rows more would not have fitted.
    expect(Buffer.byteLength(Sqls[0]!)).toBeGreaterThan(0.9 * LOAD_LIMITS.redshift.maxSqlBytes);
  });

  it('sends a value repeated in a column as one parameter, and never shares one between columns (each has its own cast)', () => {
    const columns = [
      { name: 'a', type: 'VARCHAR(8)' },
      { name: 'b', type: 'INTEGER' },
    ];
    expect(
      unionSource(columns, [
        ['1', 1],
        ['1', 2],
        ['2', 1],
      ]),
    ).toEqual({
      sql: '(SELECT $1::VARCHAR(8) AS a, $2::INTEGER AS b UNION ALL SELECT $1::VARCHAR(8), $3::INTEGER UNION ALL SELECT $4::VARCHAR(8), $2::INTEGER)',
      params: ['1', 1, 2, '2'],
    });
  });

  it('accepts the real RedshiftDataClient and sends the SDK command classes', () => {
    const real: RedshiftDataSender = new RedshiftDataClient({ region: 'eu-west-2' });
    expect(new RedshiftDataWarehouse(real, config)).toBeInstanceOf(RedshiftDataWarehouse);
    expect(
      [ExecuteStatementCommand, BatchExecuteStatementCommand, DescribeStatementCommand, GetStatementResultCommand].map(
        (c) => c.name,
      ),
    ).toEqual([
      'ExecuteStatementCommand',
      'BatchExecuteStatementCommand',
      'DescribeStatementCommand',
      'GetStatementResultCommand',
    ]);
  });
});

describe('positional to named parameters', () => {
  it('leaves quoted text and comments alone and names a repeated parameter once', () => {
    expect(toNamedParameters('SELECT \'$1\', "$2", $1 -- $2\n, $1, $2', ['a', ''])).toEqual({
      sql: "SELECT '$1', \"$2\", :p1 -- $2\n, :p1, ''",
      parameters: [{ name: 'p1', value: 'a' }],
    });
  });

  it('makes no placeholder more than PARAMETER_NAME_GROWTH_BYTES longer, in any statement of the largest batch (the loads size statements on it)', () => {
    const placeholders = Array.from({ length: 1_500 }, (_, i) => `$${i + 1}`);
    const sql = `SELECT ${placeholders.join(', ')}`;
    const params = placeholders.map((_, i) => (i % 3 === 0 ? null : i % 3 === 1 ? 'v' : ''));
    for (let i = 0; i < MAX_BATCH_STATEMENTS; i++) {
      expect(toNamedParameters(sql, params, batchPrefix(i)).sql.length - sql.length).toBeLessThanOrEqual(
        PARAMETER_NAME_GROWTH_BYTES * placeholders.length,
      );
    }
    expect(new Set(Array.from({ length: MAX_BATCH_STATEMENTS }, (_, i) => batchPrefix(i))).size).toBe(
      MAX_BATCH_STATEMENTS,
    );
    expect([0, 1, 25, 26, 39].map(batchPrefix)).toEqual(['a', 'b', 'z', 'ba', 'bn']);
  });

  it('refuses a placeholder without a value and a non-finite number', () => {
    expect(() => toNamedParameters('SELECT $2', ['a'])).toThrow(/\$2/);
    expect(() => toNamedParameters('SELECT $1', [Number.NaN])).toThrow(/finite/);
  });
});
