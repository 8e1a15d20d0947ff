/**
 * DynamoDB Local keeps every table's stream records in one SQLite table (`us`, keyed by sequence number alone) and
 * looks a stream's records up on every write: without an index on the stream, each write reads all the records
 * written so far, so a restore's bulk load grows with the square of its items (5,460 items: 17.8 s; with the index,
 * 4.5 s). The index is added for the load and dropped after it: the restored database keeps DynamoDB Local's own
 * schema, as a platform started on it expects.
 *
 * node:sqlite still warns that it is experimental on Node 22: it runs in a child process of its own with that
 * warning off, not in the restore's process, whose output is the user's.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** DynamoDB Local's database file with -sharedDb. */
const DATABASE_FILE = 'shared-local-instance.db';
const INDEX = 'ecicomm_restore_stream_records';

const SCRIPT = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
try {
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec(process.argv[2]);
} finally {
  db.close();
}`;

function execSql(dbDir: string, sql: string) {
  execFileSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '-e', SCRIPT, path.join(dbDir, DATABASE_FILE), sql],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

/** Runs `load` against the DynamoDB Local whose -dbPath is `dbDir` (started, its tables created) with the index. */
export async function withStreamRecordIndex<T>(dbDir: string, load: () => Promise<T>): Promise<T> {
  execSql(dbDir, `CREATE INDEX IF NOT EXISTS ${INDEX} ON us (StreamID, SequenceNumber)`);
  try {
    return await load();
  } finally {
    execSql(dbDir, `DROP INDEX IF EXISTS ${INDEX}`);
  }
}
