/**
 * DynamoDB Local and cognito-local, child processes. Apart from the tables and the user pool (./databases.ts), and
 * importing nothing heavy: `npm start` starts them before the platform's modules load (./early.ts).
 */
import path from 'node:path';
import { startCognitoLocal, startDynamoDbLocal, type Emulator } from '../emulators';
import type { PlatformOptions } from './types';
import { datasetSeedPending, recordEmulatorPids } from './data-dir';

/** Where DynamoDB Local keeps its database: undefined when it keeps it in memory. */
export const dynamoDataDir = (options: Pick<PlatformOptions, 'dataDir' | 'persist'>) =>
  (options.persist ?? true) ? path.join(options.dataDir, 'dynamodb') : undefined;

/** Starts both at once; each one started is in `emulators` (to be stopped) even when the other fails. */
export async function startDatabaseEmulators(
  options: PlatformOptions,
  emulators: Emulator[],
  log: (message: string) => void,
) {
  const { dataDir } = options;
  const started = await Promise.allSettled([
    startDynamoDbLocal({
      port: options.dynamoPort ?? 8000,
      dataDir: dynamoDataDir(options),
      // Thousands of items to write: worth the optimising compiler's CPU (measured: 3,808 products in 7.0 s, 10.5 s without).
      jit: datasetSeedPending(options) ? 'throughput' : 'quick',
    }),
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
