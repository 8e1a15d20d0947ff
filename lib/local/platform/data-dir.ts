/**
 * The platform's data directory: one platform per directory (a pid file names its owner and the emulator
 * processes it started), and the ports checked free before anything starts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listDatasetFiles } from '../../../catalog-data/invoice-lines';
import { assertPortFree } from '../emulators';
import { isAlive } from '../process-alive';
import type { PlatformOptions } from './types';

const pidFile = (dataDir: string) => path.join(dataDir, 'pids.json');

interface PidRecord {
  owner: number;
  pids: number[];
}

/** Empties the directory when asked to, checks every port and claims the directory. */
export async function prepareDataDir(options: PlatformOptions, port: number) {
  const { dataDir } = options;
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  await assertPortFree(port, 'HTTP API');
  await assertPortFree(options.sqsPort ?? 9324, 'local SQS');
  await assertPortFree(options.stepFunctionsPort ?? 8083, 'local Step Functions');
  await assertPortFree(options.kinesisPort ?? 4567, 'local Kinesis');
  await assertPortFree(options.lambdaPort ?? 9001, 'local Lambda');
  await assertPortFree(options.searchPort ?? 9200, 'local search engine');
  if (options.model?.port) await assertPortFree(options.model.port, 'model server');
  if (options.insights?.port) await assertPortFree(options.insights.port, 'insights model server');
  await claimDataDir(dataDir);
}

/**
 * One platform per data directory. A live owner means another `npm start` uses it; a dead owner means a
 * run was killed hard and left its emulators behind, which are stopped if they are still ours.
 */
export async function claimDataDir(dataDir: string) {
  const killed: number[] = [];
  if (existsSync(pidFile(dataDir))) {
    const record = JSON.parse(readFileSync(pidFile(dataDir), 'utf8')) as PidRecord;
    if (record.owner !== process.pid && isAlive(record.owner)) {
      throw new Error(
        `Another local platform (pid ${record.owner}) is using ${dataDir}; stop it or set LOCAL_DATA_DIR`,
      );
    }
    for (const pid of record.pids ?? []) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes('DynamoDBLocal') || cmdline.includes('cognito-local')) {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        }
      } catch {
        // Already gone.
      }
    }
  }
  writeFileSync(pidFile(dataDir), JSON.stringify({ owner: process.pid, pids: [] } satisfies PidRecord));
  // Their ports are free only once they are gone; a kill is not instant.
  for (const deadline = Date.now() + 5000; killed.some(isAlive) && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 50));
}

/** Records the emulator processes, so a run killed hard has them stopped by the next one. */
export function recordEmulatorPids(dataDir: string, pids: number[]) {
  writeFileSync(pidFile(dataDir), JSON.stringify({ owner: process.pid, pids } satisfies PidRecord));
}

export function releaseDataDir(dataDir: string) {
  rmSync(pidFile(dataDir), { force: true });
}

/** Where an earlier run's catalog came from (its seed marker), for a restart that seeds nothing. */
export function seedSourceOf(marker: string): 'dataset' | 'demo' | 'none' {
  try {
    const source = (JSON.parse(readFileSync(marker, 'utf8')) as { source?: string }).source;
    return source === 'dataset' || source === 'demo' ? source : 'none';
  } catch {
    return 'none';
  }
}

/** The file a data directory holds once its catalog is seeded (where the catalog came from, and when). */
export const seedMarkerOf = (dataDir: string) => path.join(dataDir, 'seeded.json');

/** Whether this start writes a catalog: seeding is asked for and the data directory has none yet. */
export const catalogSeedPending = (options: PlatformOptions) =>
  options.seed !== 'none' && !existsSync(seedMarkerOf(options.dataDir));

/**
 * Whether this start writes the dataset's catalog (thousands of products), not the demo one (dozens): by the rule the
 * seeding reads the dataset with (../seed/catalog-source.ts), a directory with none of its files seeds the demo one.
 */
export const datasetSeedPending = async (options: PlatformOptions) =>
  catalogSeedPending(options) &&
  (options.seed ?? 'dataset') === 'dataset' &&
  options.datasetDir !== undefined &&
  (await listDatasetFiles(options.datasetDir)).length > 0;
