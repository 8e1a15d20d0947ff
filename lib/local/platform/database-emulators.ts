/**
 * DynamoDB Local and cognito-local, child processes. Apart from the tables and the user pool (./databases.ts), and
 * importing nothing heavy: `npm start` starts them before the platform's modules load (./early.ts).
 */
import path from 'node:path';
import { startCognitoLocal, startDynamoDbLocal, type Emulator } from '../emulators';
import { isLink, linkMemoryFolder, removeLinkedMemoryFolder } from '../memory-folder';
import type { PlatformOptions } from './types';
import { datasetSeedPending, recordEmulatorPids } from './data-dir';

const MEMORY_DATABASE_PREFIX = 'ecicomm-dynamodb-';
/** Free memory asked for: the integration suite's database ends its run near 100 MB. */
const MEMORY_DATABASE_ROOM = 1024 ** 3;

/**
 * Where DynamoDB Local keeps its database: `<dataDir>/dynamodb`. A platform that keeps nothing (`persist: false`: the
 * tests, the bench) has it in a folder in memory linked there, rather than in DynamoDB Local's own memory, where the
 * stream records cannot be indexed (../dynamodb-local/stream-record-index.ts); without a folder in memory, it is
 * undefined (-inMemory). Measured with the checkout bench, in memory against in a folder in memory with the indexes
 * (two runs): POST /v1/orders → 202 p50 at one order at a time 26.9 → 14.9–18.2 ms, 10-way 24.6 → 28.1–28.2 orders/s.
 */
export const dynamoDataDir = (options: Pick<PlatformOptions, 'dataDir' | 'persist'>) => {
  const dir = path.join(options.dataDir, 'dynamodb');
  return (options.persist ?? true) || isLink(dir) ? dir : undefined;
};

/** Removes a platform's database folder in memory, if it has one (after its DynamoDB Local stopped, or was killed). */
export const removeMemoryDatabase = (dataDir: string) =>
  removeLinkedMemoryFolder(path.join(dataDir, 'dynamodb'), MEMORY_DATABASE_PREFIX);

/** A new database folder in memory for a platform that keeps nothing (a previous run's link replaced). */
function prepareMemoryDatabase(options: Pick<PlatformOptions, 'dataDir' | 'persist'>): boolean {
  if (options.persist ?? true) return false;
  removeMemoryDatabase(options.dataDir);
  return (
    linkMemoryFolder(path.join(options.dataDir, 'dynamodb'), MEMORY_DATABASE_PREFIX, MEMORY_DATABASE_ROOM) !== undefined
  );
}

/** The emulator, its folder in memory removed once it has stopped. */
const removingMemoryDatabase = (emulator: Emulator, dataDir: string): Emulator => ({
  ...emulator,
  stop: async () => {
    await emulator.stop();
    removeMemoryDatabase(dataDir);
  },
});

/** Starts both at once; each one started is in `emulators` (to be stopped) even when the other fails. */
export async function startDatabaseEmulators(
  options: PlatformOptions,
  emulators: Emulator[],
  log: (message: string) => void,
) {
  const { dataDir } = options;
  const inMemoryFolder = prepareMemoryDatabase(options);
  // Thousands of items to write: worth the optimising compiler's CPU (measured: 3,808 products in 7.0 s, 10.5 s without).
  const jit = (await datasetSeedPending(options)) ? 'throughput' : 'quick';
  const started = await Promise.allSettled([
    startDynamoDbLocal({
      port: options.dynamoPort ?? 8000,
      dataDir: dynamoDataDir(options),
      jit,
    }).then(
      (emulator) => (inMemoryFolder ? removingMemoryDatabase(emulator, dataDir) : emulator),
      (e: unknown) => {
        removeMemoryDatabase(dataDir);
        throw e;
      },
    ),
    startCognitoLocal({ port: options.cognitoPort ?? 9229, dataDir: path.join(dataDir, 'cognito') }),
  ]);
  for (const s of started) if (s.status === 'fulfilled') emulators.push(s.value);
  recordEmulatorPids(
    dataDir,
    emulators.map((e) => e.pid),
  );
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [dynamoEmu, cognitoEmu] = emulators as [Emulator, Emulator];
  log(
    `DynamoDB Local on ${dynamoEmu.endpoint} (pid ${dynamoEmu.pid}); cognito-local on ${cognitoEmu.endpoint} (pid ${cognitoEmu.pid})`,
  );
  return { dynamoEmu, cognitoEmu };
}

export async function stopDatabaseEmulators(emulators: Emulator[]) {
  await Promise.all(emulators.map((e) => e.stop()));
}
