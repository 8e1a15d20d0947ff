/**
 * The local warehouse for SQL clients (lib/local/warehouse-wire): the Postgres wire protocol on 127.0.0.1, over the
 * Redshift Data API emulator's own engine, read-only as the reader role — as analysts connect to Redshift. Driven with
 * node-postgres (`pg`), a real client, against the local warehouse as `npm start` starts it; and with psql where the
 * machine has it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedshiftDataWarehouse } from '../../functions/analytics/adapters/redshift-data-warehouse';
import { loadSalesFacts, salesFactsFromOrder } from '../../functions/analytics/domain/load';
import { LOCAL_WAREHOUSE, startLocalWarehouse, type LocalWarehouse } from '@ecicomm/local-platform/analytics';
import { listeningSockets } from '../support/listening-sockets';

const REGION = 'eu-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(24).toString('base64url') };
let warehouse: LocalWarehouse;
let dataApi: RedshiftDataClient;
let owner: RedshiftDataWarehouse;
const clients: pg.Client[] = [];

const order = (n: number) => ({
  orderId: `wire-${n}`,
  userId: 'u',
  createdAt: '2024-03-01T10:00:00.000Z',
  currency: 'GBP',
  items: [{ productId: 'p1', name: 'Lamp', quantity: 1, unitPrice: 100 * n, lineTotal: 100 * n }],
});

/** A client connected as `npm start` prints it, closed after the file. */
async function connect(overrides: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: warehouse.sql.url, ...overrides });
  clients.push(client);
  await client.connect();
  return client;
}

const refusal = async (client: pg.Client, sql: string) =>
  client.query(sql).then(
    () => `${sql} → accepted`,
    (e: Error & { code?: string }) => `${sql} → ${e.code}`,
  );

beforeAll(async () => {
  warehouse = await startLocalWarehouse({ port: 0, region: REGION, credentials, sql: { port: 0 } });
  await warehouse.migrated;
  dataApi = new RedshiftDataClient({ region: REGION, endpoint: warehouse.endpoint, credentials, maxAttempts: 1 });
  owner = new RedshiftDataWarehouse(dataApi, {
    workgroupName: LOCAL_WAREHOUSE.workgroupName,
    database: LOCAL_WAREHOUSE.database,
    secretArn: LOCAL_WAREHOUSE.adminSecretArn,
  });
  await loadSalesFacts(owner, salesFactsFromOrder(order(1), 'SALE'));
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  dataApi?.destroy();
  await warehouse?.stop();
}, 60_000);

describe('the local warehouse for SQL clients', () => {
  it('listens on 127.0.0.1 only, for the reader’s login to the ecicomm database', () => {
    expect(warehouse.sql).toMatchObject({ user: 'analytics_reader', database: 'ecicomm' });
    expect(warehouse.sql.url).toBe(
      `postgres://analytics_reader:${encodeURIComponent(warehouse.sql.password)}@127.0.0.1:${warehouse.sql.port}/ecicomm`,
    );
    expect(listeningSockets(process.pid).filter((s) => s.port === warehouse.sql.port)).toEqual([
      { address: '127.0.0.1', port: warehouse.sql.port },
    ]);
  });

  it('answers a SQL client as the reader: what the loaders loaded, the views, simple and parameterised queries', async () => {
    const client = await connect();
    expect(
      (await client.query("SELECT current_user AS who, current_setting('transaction_read_only') AS read_only")).rows,
    ).toEqual([{ who: 'analytics_reader', read_only: 'on' }]);
    expect((await client.query('SELECT order_id, revenue_pence FROM sales_facts')).rows).toEqual([
      { order_id: 'wire-1', revenue_pence: '100' },
    ]);
    expect(
      (
        await client.query(
          'SELECT CAST(sales_date AS VARCHAR) AS day, revenue_pence FROM daily_sales_summary WHERE currency = $1',
          ['GBP'],
        )
      ).rows,
    ).toEqual([{ day: '2024-03-01', revenue_pence: '100' }]);
    expect((await client.query('SHOW server_version')).rows[0].server_version).toMatch(/^\d+\.\d+/);
    // An error is the statement's alone: the session goes on.
    await expect(client.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('refuses every write as the reader, however it is dressed, and changes nothing', async () => {
    const client = await connect();
    const attempts = [
      "INSERT INTO dim_products VALUES ('x', 'x', 'x', 'x', 1, 'GBP', 'ACTIVE', now())",
      'UPDATE sales_facts SET revenue_pence = 0',
      'DELETE FROM sales_facts',
      'TRUNCATE sales_facts',
      'DROP TABLE sales_facts',
      'CREATE TABLE planted (a INTEGER)',
      'ALTER TABLE sales_facts ADD COLUMN planted INTEGER',
      // A second statement after COMMIT would run outside the read-only transaction: one statement at a time.
      'COMMIT; DELETE FROM sales_facts',
      // PGlite's session is its superuser's: no procedural code that could reset the role and write files.
      'DO $$ BEGIN RESET ROLE; DELETE FROM sales_facts; END $$',
      "COPY (SELECT 1) TO '/tmp/planted'",
      'SET TRANSACTION READ WRITE',
    ];
    expect(await Promise.all(attempts.map((sql) => refusal(client, sql)))).toEqual([
      `${attempts[0]} → 25006`,
      `${attempts[1]} → 25006`,
      `${attempts[2]} → 25006`,
      `${attempts[3]} → 25006`,
      `${attempts[4]} → 25006`,
      `${attempts[5]} → 25006`,
      `${attempts[6]} → 25006`,
      `${attempts[7]} → 42601`,
      `${attempts[8]} → 42501`,
      `${attempts[9]} → 42501`,
      `${attempts[10]} → 25001`,
    ]);
    // Nothing one statement sets outlives it: a role reset, a session's default, an explicit transaction.
    for (const sql of [
      'RESET ROLE',
      'SET SESSION AUTHORIZATION postgres',
      'SET default_transaction_read_only = off',
      'COMMIT',
      'BEGIN',
    ])
      await client.query(sql);
    expect(await refusal(client, 'DELETE FROM sales_facts')).toBe('DELETE FROM sales_facts → 25006');
    expect((await client.query('SELECT current_user AS who')).rows).toEqual([{ who: 'analytics_reader' }]);
    expect(await owner.query('SELECT COUNT(*) AS n FROM sales_facts')).toEqual([{ n: 1 }]);
    expect(
      await owner.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'planted'"),
    ).toEqual([{ n: 0 }]);
  });

  it('refuses a wrong password, another user and another database, saying which', async () => {
    const wrong = (config: pg.ClientConfig) =>
      new pg.Client({
        host: '127.0.0.1',
        port: warehouse.sql.port,
        user: 'analytics_reader',
        password: warehouse.sql.password,
        database: 'ecicomm',
        ...config,
      });
    const codeOf = async (config: pg.ClientConfig) => {
      const client = wrong(config);
      return client.connect().then(
        async () => (await client.end(), 'connected'),
        (e: Error & { code?: string }) => e.code,
      );
    };
    expect(await codeOf({ password: `${warehouse.sql.password}x` })).toBe('28P01');
    expect(await codeOf({ user: 'postgres' })).toBe('28P01');
    expect(await codeOf({ database: 'postgres' })).toBe('3D000');
    expect(await codeOf({})).toBe('connected');
  });

  it('lets clients read while the loaders load: every load lands, and a read sees whole loads', async () => {
    const readers = await Promise.all([connect(), connect(), connect()]);
    // Each load one transaction of two statements, a fact each: a read run between them, inside the loader's
    // transaction, would see one fact of the two, and the rollback that ends every read would undo the load.
    const loads = Array.from({ length: 12 }, (_, i) =>
      loadSalesFacts(
        owner,
        [...salesFactsFromOrder(order(100 + 2 * i), 'SALE'), ...salesFactsFromOrder(order(101 + 2 * i), 'SALE')],
        { rowsPerStatement: 1 },
      ),
    );
    const reads = readers.flatMap((client) =>
      Array.from({ length: 15 }, () =>
        client.query("SELECT COUNT(*) AS n FROM sales_facts WHERE order_id LIKE 'wire-%'"),
      ),
    );
    const [loaded, read] = await Promise.all([Promise.all(loads), Promise.all(reads)]);
    expect(loaded.map((l) => l.inserted)).toEqual(Array(12).fill(2));
    // A reader sees whole batches: two facts a load, never one of them.
    expect(read.every((r) => Number(r.rows[0].n) % 2 === 1)).toBe(true);
    expect(await owner.query("SELECT COUNT(*) AS n FROM sales_facts WHERE order_id LIKE 'wire-%'")).toEqual([
      { n: 25 },
    ]);
  });

  // psql is not a dependency of the project (node-postgres above is): this runs where a machine has it.
  const psql = ['/usr/bin/psql', '/usr/local/bin/psql'].find((p) => existsSync(p));
  const itWithPsql = psql ? it : it.skip;
  itWithPsql('answers psql as it answers any Postgres', async () => {
    const { stdout } = await promisify(execFile)(
      psql!,
      [warehouse.sql.url, '-X', '-A', '-t', '-c', 'SELECT COUNT(*) FROM sales_facts', '-c', '\\dv'],
      { timeout: 30_000 },
    );
    expect(stdout.split('\n')[0]).toMatch(/^\d+$/);
    expect(stdout).toContain('daily_sales_summary');
    const refused = await promisify(execFile)(psql!, [warehouse.sql.url, '-X', '-c', 'DELETE FROM sales_facts'], {
      timeout: 30_000,
    }).catch((e: { stderr: string }) => e);
    expect(refused.stderr).toContain('cannot execute DELETE in a read-only transaction');
  });
});
