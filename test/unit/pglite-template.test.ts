/**
 * New PGlite databases from an archive of a database's first state (lib/local/redshift-data/pglite-template.mjs)
 * instead of Postgres' initdb: a new database with no usable archive (here a damaged one) is made the ordinary way
 * and archived, later ones load the archive, and an existing directory opens as it is.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from '@jest/globals';
import type { PGlite } from '@electric-sql/pglite';
import { expect } from '../support/expect';
import { createPGlite } from '@ecicomm/local-platform/redshift-data/pglite-template.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'pglite-template-'));
const template = path.join(dir, 'cache', 'initdb.tar.gz');
const opened: PGlite[] = [];
const open = async (dataDir?: string) => {
  const db = await createPGlite(dataDir ? { dataDir } : {}, template);
  opened.push(db);
  return db;
};
afterAll(async () => {
  for (const db of opened) await db.close().catch(() => undefined);
});

describe('a new PGlite database', () => {
  it('is made the ordinary way when the template is damaged, and archived as the template before anything is written', async () => {
    mkdirSync(path.dirname(template), { recursive: true });
    writeFileSync(template, 'not an archive');
    const db = await open(path.join(dir, 'first'));
    await db.exec('create table first_only (n int)');
    expect(readFileSync(template).toString()).not.toEqual('not an archive');
    const fromTemplate = await open();
    const tables = await fromTemplate.query<{ n: number }>(
      "select count(*)::int as n from pg_tables where tablename = 'first_only'",
    );
    expect(tables.rows).toEqual([{ n: 0 }]);
  }, 60_000);

  it('is made from the template, in a directory that then reopens with what was written', async () => {
    const archived = readFileSync(template);
    const dataDir = path.join(dir, 'second');
    const db = await open(dataDir);
    await db.exec("create table kept (s text); insert into kept values ('written')");
    await db.close();
    const reopened = await open(dataDir);
    expect((await reopened.query('select s from kept')).rows).toEqual([{ s: 'written' }]);
    expect(readFileSync(template).equals(archived)).toBe(true);
  }, 60_000);
});
