/**
 * DynamoDB Local keeps every table's stream records in one SQLite table (`us`, keyed by sequence number alone). It
 * looks a stream's records up on every write to a table with a stream, and a shard's on every GetRecords: without
 * indexes on the stream and on the shard, each of those reads every record written so far, and the platform slows
 * down as it runs. Measured here after seeding the catalog (11,424 records): 2,000 stock updates at 194-284/s
 * without the indexes, 419-523/s with them; at 20,000 records a stream poll takes 22-38 ms without the shard's index,
 * 1.5-2 ms with it; a restore's bulk load of 9,900 items 65 s without the stream's, 8 s with it.
 *
 * The indexes are DynamoDB Local's schema plus two indexes, which its queries use and nothing else sees. node:sqlite
 * still warns that it is experimental on Node 22: it runs in a child process of its own with that warning off, and
 * the output of the command that asked stays its own.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** DynamoDB Local's database file with -sharedDb. */
export const DATABASE_FILE = 'shared-local-instance.db';

const SCRIPT = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
try {
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec(process.argv[2]);
} finally {
  db.close();
}`;

/** Runs SQL on the database of the DynamoDB Local whose -dbPath is `dbDir`, beside DynamoDB Local itself. */
export async function execDatabaseSql(dbDir: string, sql: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '-e', SCRIPT, path.join(dbDir, DATABASE_FILE), sql],
    { timeout: 60_000 },
  );
}

/** Indexes the stream records of the DynamoDB Local whose -dbPath is `dbDir` (started, so its schema exists). */
export const indexStreamRecords = (dbDir: string) =>
  execDatabaseSql(
    dbDir,
    'CREATE INDEX IF NOT EXISTS ecicomm_stream_records ON us (StreamID, SequenceNumber);' +
      'CREATE INDEX IF NOT EXISTS ecicomm_shard_records ON us (ShardID, SequenceNumber);',
  );
