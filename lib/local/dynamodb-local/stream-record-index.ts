/**
 * DynamoDB Local keeps every table's stream records in one SQLite table (`us`, keyed by sequence number alone) and
 * looks a stream's records up on every write to a table with a stream: without an index on the stream, each write
 * reads every record written so far, and writes slow down as the platform runs. Measured here after seeding the
 * catalog (11,424 items, as many records): 2,000 stock updates at 194-284/s without the index, 419-523/s with it.
 *
 * The index is DynamoDB Local's schema plus one index, which its queries use and nothing else sees. node:sqlite
 * still warns that it is experimental on Node 22: it runs in a child process of its own with that warning off.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** DynamoDB Local's database file with -sharedDb. */
export const DATABASE_FILE = 'shared-local-instance.db';
const INDEX = 'ecicomm_stream_records';

const SCRIPT = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
try {
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec(process.argv[2]);
} finally {
  db.close();
}`;

/** Runs one statement on the database of the DynamoDB Local whose -dbPath is `dbDir`, beside DynamoDB Local. */
export async function execDatabaseSql(dbDir: string, sql: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '-e', SCRIPT, path.join(dbDir, DATABASE_FILE), sql],
    { timeout: 60_000 },
  );
}

/** Indexes the stream records of the DynamoDB Local whose -dbPath is `dbDir` (started, so its schema exists). */
export const indexStreamRecords = (dbDir: string) =>
  execDatabaseSql(dbDir, `CREATE INDEX IF NOT EXISTS ${INDEX} ON us (StreamID, SequenceNumber)`);
