/**
 * The warehouse's readers (the analytics API, the health check) read as a read-only identity, and the loaders
 * still load. Locally: the platform's Redshift Data API runs a caller without the admin secret in read-only
 * transactions as the reader role that migration 5 grants SELECT (so does the in-process PGlite of the tests'
 * readOnly()). On Redshift: the reader signs in as its own IAM identity (no secret) and
 * never migrates — checked here against a local stand-in for the Data API's endpoint.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { warehouseFromEnv } from '../../functions/analytics/deps';
import { WAREHOUSE_READER_ROLE, type Warehouse } from '../../functions/analytics/ports';
import { LOCAL_WAREHOUSE } from '@ecicomm/local-platform/analytics';
import { PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import { startTestDataApi, TEST_REGION } from '../support/redshift-data';

const product = (id: string) =>
  `INSERT INTO dim_products (product_id, name, category, brand, price_pence, currency, status, updated_ts) VALUES ('${id}', 'Lamp', 'lighting', 'ECI', 1500, 'GBP', 'ACTIVE', '2026-11-20 10:00:00')`;
const productIds = async (w: Warehouse) =>
  (await w.query<{ product_id: string }>('SELECT product_id FROM dim_products ORDER BY product_id')).map(
    (r) => r.product_id,
  );

/** Each engine: a loader's handle (migrates, writes) and a reader's on the same engine. */
const engines: [string, () => Promise<{ loader: Warehouse; reader: Warehouse; close: () => Promise<void> }>][] = [
  [
    'the platform’s warehouse (the local Redshift Data API, warehouseFromEnv as the functions use it)',
    async () => {
      const api = await startTestDataApi();
      vi.stubEnv('AWS_ENDPOINT_URL_REDSHIFT_DATA', api.emulator.endpoint);
      vi.stubEnv('AWS_REGION', TEST_REGION);
      vi.stubEnv('AWS_ACCESS_KEY_ID', api.credentials.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', api.credentials.secretAccessKey);
      // As the platform's environment names it: the admin secret is there, and the reader does not use it.
      const env = {
        REDSHIFT_WORKGROUP: LOCAL_WAREHOUSE.workgroupName,
        REDSHIFT_DATABASE: LOCAL_WAREHOUSE.database,
        REDSHIFT_SECRET_ARN: LOCAL_WAREHOUSE.adminSecretArn,
      };
      const loader = warehouseFromEnv(env);
      const reader = warehouseFromEnv(env, { access: 'read' });
      await loader.migrate();
      return {
        loader,
        reader,
        close: async () => {
          vi.unstubAllEnvs();
          await Promise.all([loader.close(), reader.close()]);
          await api.stop();
        },
      };
    },
  ],
  [
    'the in-process PGlite adapter',
    async () => {
      const loader = await PgliteWarehouse.open();
      await loader.migrate();
      return { loader, reader: loader.readOnly(), close: () => loader.close() };
    },
  ],
];

describe.each(engines)('a reader of %s', (_name, open) => {
  let loader: Warehouse;
  let reader: Warehouse;
  let close: () => Promise<void>;
  beforeAll(async () => void ({ loader, reader, close } = await open()), 60_000);
  afterAll(() => close());

  it(
    'reads what the loaders load, cannot insert, update, delete, drop, create or migrate, and the loaders load on',
    { timeout: 60_000 },
    async () => {
      await loader.execute(product('p1'));
      expect(await productIds(reader)).toEqual(['p1']);
      const refused = [
        () => reader.execute(product('p2')),
        () => reader.query(`${product('p3')} RETURNING product_id`),
        () => reader.execute("UPDATE dim_products SET price_pence = 1 WHERE product_id = 'p1'"),
        () => reader.execute('DELETE FROM dim_products'),
        () => reader.execute('DROP TABLE dim_products'),
        () => reader.execute('CREATE TABLE planted (a INTEGER)'),
        () => reader.execute('TRUNCATE sales_facts'),
        // PGlite's session belongs to its superuser: resetting the role is no way out of a read-only transaction.
        () => reader.execute('DO $$ BEGIN RESET ROLE; DELETE FROM dim_products; END $$'),
        () => reader.execute('DO $$ BEGIN SET TRANSACTION READ WRITE; RESET ROLE; DELETE FROM dim_products; END $$'),
        () => reader.batch([{ sql: product('p4') }]),
        () => reader.migrate(),
      ];
      for (const attempt of refused) await expect(attempt()).rejects.toThrow();
      expect(await productIds(loader)).toEqual(['p1']);
      expect(
        await loader.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'planted'"),
      ).toEqual([]);

      // The loaders are unaffected, and the reader sees what they add.
      await loader.batch([
        { sql: product('p5') },
        { sql: "UPDATE dim_products SET price_pence = 1700 WHERE product_id = 'p1'" },
      ]);
      expect(await productIds(reader)).toEqual(['p1', 'p5']);
    },
  );

  it('may read every table and view the migrations made, as the reader role', async () => {
    expect(await reader.query('SELECT current_user AS who')).toEqual([{ who: WAREHOUSE_READER_ROLE }]);
    const relations = await loader.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(relations.map((r) => r.name)).toEqual(
      expect.arrayContaining(['sales_facts', 'dim_products', 'daily_sales_summary', 'inventory_turnover_metrics']),
    );
    for (const { name } of relations)
      await expect(reader.query(`SELECT COUNT(*) AS n FROM ${name}`), name).resolves.toHaveLength(1);
  });
});

describe('a reader of Redshift', () => {
  it('signs in as its own IAM identity (no secret) and never migrates, whatever the environment holds', async () => {
    // The Data API's JSON protocol, as much as one query needs; every request is recorded.
    const requests: { target: string; body: Record<string, unknown> }[] = [];
    const server: Server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']).replace('RedshiftData.', '');
        requests.push({ target, body: JSON.parse(text) as Record<string, unknown> });
        const answers: Record<string, unknown> = {
          ExecuteStatement: { Id: 'stmt-1' },
          DescribeStatement: { Id: 'stmt-1', Status: 'FINISHED', HasResultSet: true },
          GetStatementResult: {
            ColumnMetadata: [{ name: 'ok', typeName: 'int4' }],
            Records: [[{ longValue: 1 }]],
            TotalNumRows: 1,
          },
        };
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answers[target] ?? {}));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('AWS_ENDPOINT_URL_REDSHIFT_DATA', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    vi.stubEnv('AWS_REGION', 'eu-west-2');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    try {
      const env = {
        REDSHIFT_WORKGROUP: 'ecicomm-warehouse',
        REDSHIFT_DATABASE: 'ecicomm',
        REDSHIFT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:admin-AbCdEf',
      };
      const reader = warehouseFromEnv(env, { access: 'read' });
      expect(await reader.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      expect(requests.map((r) => r.target)).toEqual(['ExecuteStatement', 'DescribeStatement', 'GetStatementResult']);
      // The SDK adds an idempotency token of its own; no SecretArn, no DbUser: the caller's IAM identity signs in.
      expect(requests[0]!.body).toEqual({
        Sql: 'SELECT 1 AS ok',
        WorkgroupName: 'ecicomm-warehouse',
        Database: 'ecicomm',
        ClientToken: expect.any(String),
      });
      await reader.close();
    } finally {
      vi.unstubAllEnvs();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
