/**
 * `npm start` prints a SQL login to the local warehouse beside its other local credentials, and a Postgres client
 * connects with exactly what it printed — read-only, as analysts connect to Redshift. A password the run was not
 * given is made for the run; WAREHOUSE_PASSWORD gives a lasting one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from '@jest/globals';
import { PlatformProcesses, type RunningPlatformProcess } from '../support/platform-process';

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-warehouse-sql-'));
const platforms = new PlatformProcesses(dataDir, { DATASET_DIR: path.join(dataDir, 'no-dataset-here') });
afterAll(() => {
  platforms.killEverything();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The URL on the line `npm start` printed for SQL clients. */
const printedUrl = (running: RunningPlatformProcess) =>
  /^ {2}Warehouse SQL {2}(postgres:\/\/\S+)/m.exec(running.output())?.[1];

async function asReader(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql).then(
      (r) => r.rows,
      (e: Error & { code?: string }) => e.code,
    );
  } finally {
    await client.end();
  }
}

describe('npm start', () => {
  it('prints the warehouse SQL login, with which a Postgres client reads and cannot write', async () => {
    const first = await platforms.start();
    const url = printedUrl(first);
    expect(url).toMatch(/^postgres:\/\/analytics_reader:[A-Za-z0-9_-]{24}@127\.0\.0\.1:\d+\/ecicomm$/);
    // The migrations ran before it said it was ready: the reader sees the schema.
    expect(await asReader(url!, 'SELECT MAX(version) AS version FROM schema_migrations')).toEqual([{ version: 7 }]);
    expect(await asReader(url!, "DELETE FROM sales_facts WHERE order_id = 'x'")).toBe('25006');
    await platforms.stop(first);

    // A lasting password, when given.
    const second = await platforms.start({ WAREHOUSE_PASSWORD: 'analysts-own-password' });
    const lasting = printedUrl(second);
    expect(lasting).toMatch(/^postgres:\/\/analytics_reader:analysts-own-password@127\.0\.0\.1:\d+\/ecicomm$/);
    expect(await asReader(lasting!, 'SELECT current_user AS who')).toEqual([{ who: 'analytics_reader' }]);
    // The first run's password was that run's.
    const stale = new URL(lasting!);
    stale.password = new URL(url!).password;
    await expect(asReader(stale.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    await platforms.stop(second);
  }, 240_000);
});
