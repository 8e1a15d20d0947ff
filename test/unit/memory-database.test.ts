/**
 * A platform that keeps nothing (the tests', the bench's) has DynamoDB Local's database in a folder in memory, linked
 * from its data directory (lib/local/platform/database-emulators.ts): a file, so its stream records can be indexed,
 * and gone when DynamoDB Local stops, or through the link after a kill.
 */
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { freePort, type Emulator } from '@ecicomm/local-platform/emulators';
import { MEMORY_ROOT } from '@ecicomm/local-platform/memory-folder';
import {
  dynamoDataDir,
  removeMemoryDatabase,
  startDatabaseEmulators,
  stopDatabaseEmulators,
} from '@ecicomm/local-platform/platform/database-emulators';
import { execDatabaseSql, indexStreamRecords } from '@ecicomm/local-platform/dynamodb-local/stream-record-index';

const memory = existsSync(MEMORY_ROOT);
const log = () => undefined;
/** Each test starts a JVM and a Node: seconds on a loaded machine, where a unit test gets 5. */
const STARTS_EMULATORS_MS = 60_000;

let dataDir: string;
let emulators: Emulator[];
const options = async () => ({
  dataDir,
  persist: false,
  dynamoPort: await freePort(),
  cognitoPort: await freePort(),
});

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'memory-database-'));
  emulators = [];
});
afterEach(async () => {
  await stopDatabaseEmulators(emulators).catch(() => undefined);
  for (const e of emulators) {
    try {
      process.kill(e.pid, 'SIGKILL');
    } catch {
      // Stopped already.
    }
  }
  removeMemoryDatabase(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

/** A test with a folder in memory: skipped where the machine has none. */
const inMemory = (name: string, test: () => Promise<void>) => (memory ? it : it.skip)(name, test, STARTS_EMULATORS_MS);

/** The emulators of a platform that keeps nothing, started: the folder in memory its data directory links to. */
async function startKeepingNothing(): Promise<string> {
  await startDatabaseEmulators(await options(), emulators, log);
  return readlinkSync(path.join(dataDir, 'dynamodb'));
}

describe("a platform that keeps nothing: DynamoDB Local's database", () => {
  inMemory('is a file in a folder in memory, linked from the data directory, indexable', async () => {
    const opts = await options();
    await startDatabaseEmulators(opts, emulators, log);
    const link = path.join(dataDir, 'dynamodb');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(path.dirname(readlinkSync(link))).toBe(MEMORY_ROOT);
    expect(dynamoDataDir(opts)).toBe(link);
    // DynamoDB Local creates its file and its stream records' table with its first table; the platform indexes it then.
    await execDatabaseSql(link, 'CREATE TABLE IF NOT EXISTS us (StreamID TEXT, ShardID TEXT, SequenceNumber INTEGER)');
    await expect(indexStreamRecords(link)).resolves.toBeUndefined();
  });

  inMemory('is removed with its link when DynamoDB Local stops', async () => {
    const folder = await startKeepingNothing();
    await stopDatabaseEmulators(emulators);
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(path.join(dataDir, 'dynamodb'))).toBe(false);
  });

  inMemory('is removed through its link after DynamoDB Local was killed', async () => {
    const folder = await startKeepingNothing();
    process.kill(emulators[0].pid, 'SIGKILL');
    removeMemoryDatabase(dataDir);
    expect(existsSync(folder)).toBe(false);
  });

  it(
    'is on disk, in the data directory, for a platform that keeps its data',
    async () => {
      const opts = { ...(await options()), persist: true };
      await startDatabaseEmulators(opts, emulators, log);
      const dir = path.join(dataDir, 'dynamodb');
      expect(dynamoDataDir(opts)).toBe(dir);
      expect(lstatSync(dir).isDirectory()).toBe(true);
    },
    STARTS_EMULATORS_MS,
  );
});
