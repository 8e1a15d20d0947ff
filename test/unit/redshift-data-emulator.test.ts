import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ResourceNotFoundException,
  ValidationException,
  type DescribeStatementResponse,
} from '@aws-sdk/client-redshift-data';
import { GetWorkgroupCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WAREHOUSE } from '@ecicomm/local-platform/analytics';
import { startTestDataApi, TEST_REGION, type TestDataApi } from '../support/redshift-data';

let api: TestDataApi;
const target = {
  WorkgroupName: LOCAL_WAREHOUSE.workgroupName,
  Database: LOCAL_WAREHOUSE.database,
  SecretArn: LOCAL_WAREHOUSE.adminSecretArn,
};

beforeAll(async () => {
  api = await startTestDataApi();
}, 60_000);
afterAll(() => api?.stop());

async function finished(id: string | undefined): Promise<DescribeStatementResponse> {
  return api.client.send(new DescribeStatementCommand({ Id: id!, WaitTimeSeconds: 30 }));
}

describe('the local Redshift Data API, through the official client', () => {
  it(
    'pages a 2,500-row result with NextToken, with typed fields and Redshift column metadata',
    { timeout: 60_000 },
    async () => {
      const sql = `SELECT g AS n, CAST(g AS BIGINT) * 3 AS big, g / 4.0 AS ratio, CAST(g * 1.5 AS NUMERIC(12,2)) AS price, g % 2 = 0 AS even,
      'row ' || g AS label, DATE '2011-02-01' + (g % 28) AS day, CAST(NULL AS VARCHAR(4)) AS nothing
      FROM generate_series(1, 2500) AS g ORDER BY g`;
      const { Id } = await api.client.send(new ExecuteStatementCommand({ Sql: sql, ...target }));
      const described = await finished(Id);
      expect(described).toMatchObject({ Status: 'FINISHED', HasResultSet: true, ResultRows: 2500 });
      const pages = [];
      let NextToken: string | undefined;
      do {
        const page = await api.client.send(
          new GetStatementResultCommand({ Id: Id!, ...(NextToken ? { NextToken } : {}) }),
        );
        pages.push(page);
        NextToken = page.NextToken;
      } while (NextToken);
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.every((p) => p.TotalNumRows === 2500)).toBe(true);
      const records = pages.flatMap((p) => p.Records ?? []);
      expect(records).toHaveLength(2500);
      expect(records[1]).toEqual([
        { longValue: 2 },
        { longValue: 6 },
        { stringValue: '0.50000000000000000000' },
        { stringValue: '3.00' },
        { booleanValue: true },
        { stringValue: 'row 2' },
        { stringValue: '2011-02-03' },
        { isNull: true },
      ]);
      expect(records.map((r) => r[0]!.longValue)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
      expect(pages[0]!.ColumnMetadata!.map((c) => [c.name, c.typeName])).toEqual([
        ['n', 'int4'],
        ['big', 'int8'],
        ['ratio', 'numeric'],
        ['price', 'numeric'],
        ['even', 'bool'],
        ['label', 'text'],
        ['day', 'date'],
        ['nothing', 'varchar'],
      ]);
    },
  );

  it('binds named parameters, leaving :: casts and quoted text alone', async () => {
    const { Id } = await api.client.send(
      new ExecuteStatementCommand({
        Sql: "SELECT :a::int + :a::int AS twice, ':a' AS quoted, :flag::boolean AS flag",
        Parameters: [
          { name: 'a', value: '21' },
          { name: 'flag', value: 'false' },
        ],
        ...target,
      }),
    );
    await finished(Id);
    const result = await api.client.send(new GetStatementResultCommand({ Id: Id! }));
    expect(result.Records).toEqual([[{ longValue: 42 }, { stringValue: ':a' }, { booleanValue: false }]]);
  });

  it('reports a failing statement as FAILED with the database error, and no result', async () => {
    const { Id } = await api.client.send(
      new ExecuteStatementCommand({ Sql: 'SELECT * FROM no_such_table', ...target }),
    );
    const described = await finished(Id);
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(/no_such_table.*does not exist/);
    await expect(api.client.send(new GetStatementResultCommand({ Id: Id! }))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });

  it(
    'runs a batch as one transaction: a failing statement rolls back the ones before it',
    { timeout: 30_000 },
    async () => {
      const created = await api.client.send(
        new ExecuteStatementCommand({ Sql: 'CREATE TABLE batch_test (id INTEGER PRIMARY KEY)', ...target }),
      );
      expect((await finished(created.Id)).Status).toBe('FINISHED');
      const failing = await api.client.send(
        new BatchExecuteStatementCommand({
          Sqls: [
            'INSERT INTO batch_test VALUES (1)',
            'INSERT INTO batch_test VALUES (2)',
            'INSERT INTO batch_test VALUES (1)',
          ],
          ...target,
        }),
      );
      const described = await finished(failing.Id);
      expect(described.Status).toBe('FAILED');
      expect(described.SubStatements!.map((s) => [s.Id, s.Status])).toEqual([
        [`${failing.Id}:1`, 'FINISHED'],
        [`${failing.Id}:2`, 'FINISHED'],
        [`${failing.Id}:3`, 'FAILED'],
      ]);
      expect(described.SubStatements![2]!.Error).toMatch(/duplicate key/);
      const ok = await api.client.send(
        new BatchExecuteStatementCommand({
          Sqls: ['INSERT INTO batch_test VALUES (:x)', 'SELECT COUNT(*) AS n FROM batch_test'],
          Parameters: [{ name: 'x', value: '7' }],
          ...target,
        }),
      );
      const done = await finished(ok.Id);
      expect(done.SubStatements!.map((s) => [s.Status, s.ResultRows, s.HasResultSet])).toEqual([
        ['FINISHED', 1, false],
        ['FINISHED', 1, true],
      ]);
      expect((await api.client.send(new GetStatementResultCommand({ Id: `${ok.Id}:2` }))).Records).toEqual([
        [{ longValue: 1 }],
      ]);
      const second = await api.client.send(new DescribeStatementCommand({ Id: `${ok.Id}:2` }));
      expect(second).toMatchObject({
        Id: `${ok.Id}:2`,
        Status: 'FINISHED',
        QueryString: 'SELECT COUNT(*) AS n FROM batch_test',
        HasResultSet: true,
        ResultRows: 1,
      });
      expect(second.SubStatements).toBeUndefined();
    },
  );

  it('runs a caller without the admin secret as the read-only reader', async () => {
    const reader = { WorkgroupName: LOCAL_WAREHOUSE.workgroupName, Database: LOCAL_WAREHOUSE.database };
    const who = await api.client.send(new ExecuteStatementCommand({ Sql: 'SELECT current_user AS who', ...reader }));
    await finished(who.Id);
    expect((await api.client.send(new GetStatementResultCommand({ Id: who.Id! }))).Records).toEqual([
      [{ stringValue: 'analytics_reader' }],
    ]);
    const write = await api.client.send(
      new ExecuteStatementCommand({ Sql: 'CREATE TABLE reader_cannot (id INTEGER)', ...reader }),
    );
    expect(await finished(write.Id)).toMatchObject({
      Status: 'FAILED',
      Error: expect.stringMatching(/read-only transaction/),
    });
  });

  it('answers bad input and unknown statements with the AWS error shapes and a 400', async () => {
    for (const bad of [
      new ExecuteStatementCommand({ Sql: 'SELECT 1', Database: 'ecicomm' }),
      new ExecuteStatementCommand({ Sql: 'SELECT :missing', ...target }),
      new ExecuteStatementCommand({ Sql: 'SELECT 1', ...target, WorkgroupName: 'elsewhere' }),
      new ExecuteStatementCommand({
        Sql: 'SELECT 1',
        ...target,
        SecretArn: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:other',
      }),
      new BatchExecuteStatementCommand({ Sqls: [], ...target }),
      new GetStatementResultCommand({ Id: 'not-an-id', NextToken: 'garbage' }),
    ]) {
      const error = await api.client.send(bad as never).catch((e: unknown) => e);
      expect(error, bad.constructor.name).toBeInstanceOf(Error);
      expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
      expect([ValidationException, ResourceNotFoundException].some((c) => error instanceof c)).toBe(true);
    }
    const missing = await api.client
      .send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a request signed with other credentials, or not signed, with a 403', async () => {
    const stranger = new RedshiftDataClient({
      region: TEST_REGION,
      endpoint: api.emulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    const refused = await stranger
      .send(new ExecuteStatementCommand({ Sql: 'SELECT 1', ...target }))
      .catch((e: { $metadata: { httpStatusCode: number } }) => e);
    stranger.destroy();
    expect(refused.$metadata.httpStatusCode).toBe(403);
    const unsigned = await fetch(api.emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RedshiftData.ExecuteStatement' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const unknown = await fetch(api.emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Elsewhere.DropEverything' },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('serves the workgroup status the health check asks for', async () => {
    const serverless = new RedshiftServerlessClient({
      region: TEST_REGION,
      endpoint: api.emulator.endpoint,
      credentials: api.credentials,
      maxAttempts: 1,
    });
    const { workgroup } = await serverless.send(
      new GetWorkgroupCommand({ workgroupName: LOCAL_WAREHOUSE.workgroupName }),
    );
    serverless.destroy();
    expect(workgroup).toMatchObject({ workgroupName: LOCAL_WAREHOUSE.workgroupName, status: 'AVAILABLE' });
  });

  it(
    'runs the warehouse migrations in the Redshift dialect and the adapter reads typed rows back',
    { timeout: 60_000 },
    async () => {
      const owner = api.warehouse('owner');
      const report = await owner.migrate();
      expect(report.applied.length).toBeGreaterThan(0);
      expect((await owner.migrate()).applied).toEqual([]);
      const rows = await api
        .warehouse('reader')
        .query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(report.applied);
    },
  );
});
