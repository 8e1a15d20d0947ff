/**
 * A platform that keeps nothing (the tests', the bench's) has DynamoDB Local's database in a folder in memory, linked
 * from its data directory (lib/local/platform/database-emulators.ts): a file, so its stream records can be indexed,
 * and gone when DynamoDB Local stops, or through the link after a kill, or, left by a process that ended without
 * cleaning up, when the next folder of its kind is made.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { freePort, type Emulator } from '@ecicomm/local-platform/emulators';
import { isLink, linkMemoryFolder, MEMORY_ROOT, removeLinkedMemoryFolder } from '@ecicomm/local-platform/memory-folder';
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

describe('folders in memory left by a process that ended', () => {
  const prefix = `ecicomm-orphans-test-${randomUUID().slice(0, 8)}-`;
  const endedPid = () => spawnSync(process.execPath, ['-e', '']).pid;
  const folder = (name: string) => {
    mkdirSync(path.join(MEMORY_ROOT, name));
    return path.join(MEMORY_ROOT, name);
  };
  afterEach(() => {
    for (const name of readdirSync(MEMORY_ROOT))
      if (name.startsWith(prefix)) rmSync(path.join(MEMORY_ROOT, name), { recursive: true, force: true });
  });

  (memory ? it : it.skip)(
    "are removed when the next folder of their kind is made; a running process's, and an unnamed one, stay",
    () => {
      const orphan = folder(`${prefix}${endedPid()}-abc123`);
      const running = folder(`${prefix}${process.pid}-def456`);
      const unnamed = folder(`${prefix}ghi789`);
      const made = linkMemoryFolder(path.join(dataDir, 'dynamodb'), prefix, 0)!;
      expect(path.basename(made)).toMatch(new RegExp(`^${prefix}${process.pid}-`));
      expect([orphan, running, unnamed, made].map((f) => existsSync(f))).toEqual([false, true, true, true]);
    },
  );

  (memory ? it : it.skip)('are removed also when their process is a zombie, killed but not yet reaped', async () => {
    // `sleep 0` ends as a child of a process that never reaps it (the shell became `sleep 5`): a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await once(parent.stdout, 'data'))[0].toString().trim());
      for (let i = 0; i < 50 && !readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z'); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const orphan = folder(`${prefix}${zombie}-zzz999`);
      linkMemoryFolder(path.join(dataDir, 'dynamodb'), prefix, 0);
      expect(existsSync(orphan)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  (memory ? it : it.skip)(
    'leave a link to nothing, which the clean-up removes, so that a new folder can be linked',
    () => {
      const link = path.join(dataDir, 'dynamodb');
      const orphaned = linkMemoryFolder(link, prefix, 0)!;
      rmSync(orphaned, { recursive: true });
      expect(isLink(link)).toBe(true);
      removeLinkedMemoryFolder(link, prefix);
      expect(isLink(link)).toBe(false);
      expect(linkMemoryFolder(link, prefix, 0)).toBe(readlinkSync(link));
    },
  );
});
