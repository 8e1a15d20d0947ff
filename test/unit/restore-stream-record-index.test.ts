/**
 * A restore's bulk load runs with an index on DynamoDB Local's stream records (lib/local/backup/stream-record-index.ts),
 * dropped after it however the load ends: the restored database keeps DynamoDB Local's own schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { withStreamRecordIndex } from '@ecicomm/local-platform/backup/stream-record-index';

/** Runs SQL on the directory's DynamoDB Local database file in a child Node (node:sqlite warns it is experimental). */
function sql(dir: string, statement: string): unknown[] {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    const rows = process.argv[2].startsWith('SELECT') ? db.prepare(process.argv[2]).all() : (db.exec(process.argv[2]), []);
    db.close();
    process.stdout.write(JSON.stringify(rows));`;
  const out = execFileSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '-e', script, path.join(dir, 'shared-local-instance.db'), statement],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as unknown[];
}
const indexes = (dir: string) => sql(dir, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'us'");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stream-record-index-'));
  // DynamoDB Local's table of stream records, as it creates it.
  sql(
    dir,
    'CREATE TABLE us (StreamID TEXT, ShardID TEXT, SequenceNumber INTEGER, CreationDateTime INTEGER, StreamRecord BLOB, OperationType TEXT, PRIMARY KEY(SequenceNumber))',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the stream records' index during a restore", () => {
  it('is there while the load runs, and gone after it', async () => {
    const during = await withStreamRecordIndex(dir, () => Promise.resolve(indexes(dir)));
    expect(during).toEqual([{ name: 'ecicomm_restore_stream_records' }]);
    expect(indexes(dir)).toEqual([]);
  });

  it('is gone after a load that failed, whose error is the one thrown', async () => {
    await expect(withStreamRecordIndex(dir, () => Promise.reject(new Error('load failed')))).rejects.toThrow(
      'load failed',
    );
    expect(indexes(dir)).toEqual([]);
  });
});
