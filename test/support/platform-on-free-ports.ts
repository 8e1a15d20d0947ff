/**
 * The local platform as the tests and the bench start it: every service on a free port (their defaults are those
 * of a running `npm start`), no settlement timer (tests settle on demand, and the bench must not count its
 * requests), nothing persisted.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startPlatform, type Platform, type PlatformOptions } from '@ecicomm/local-platform/platform';
import { removeMemoryDatabase } from '@ecicomm/local-platform/platform/database-emulators';

/** Distinct free ports (freePort may hand the same one out twice in a row). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

type PortOption =
  | 'port'
  | 'dynamoPort'
  | 'cognitoPort'
  | 'sqsPort'
  | 'stepFunctionsPort'
  | 'kinesisPort'
  | 'lambdaPort'
  | 'searchPort'
  | 's3Port'
  | 'eventBridgePort'
  | 'sesPort';

/** What is left to choose: the data dir, the seed, the model, a log. */
export type FreePortPlatformOptions = Omit<
  PlatformOptions,
  PortOption | 'sweepEverySeconds' | 'archiveEverySeconds' | 'persist'
>;

/** A free port for every service of a platform, as startPlatform's options name them. */
export async function freePortOptions(): Promise<Pick<PlatformOptions, PortOption>> {
  const names = [
    'port',
    'dynamoPort',
    'cognitoPort',
    'sqsPort',
    'stepFunctionsPort',
    'kinesisPort',
    'lambdaPort',
    'searchPort',
    's3Port',
    'eventBridgePort',
    'sesPort',
  ] as const satisfies readonly PortOption[];
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, ports[i]]));
}

export async function startPlatformOnFreePorts(options: FreePortPlatformOptions): Promise<Platform> {
  return startPlatform({
    ...(await freePortOptions()),
    sweepEverySeconds: 0,
    archiveEverySeconds: 0,
    persist: false,
    ...options,
  });
}

/**
 * Stops a platform started in a test file's beforeAll, however far its start got: a start that outlived the
 * hook's time limit still finishes and is stopped here, and the emulators it recorded in its data dir are killed
 * by pid even when `stop()` fails or never ran. Then removes the data dir.
 */
export async function stopPlatformStartedIn(starting: Promise<Platform> | undefined, dataDir: string): Promise<void> {
  const pidsFile = path.join(dataDir, 'pids.json');
  const pids = new Set(
    existsSync(pidsFile) ? (JSON.parse(readFileSync(pidsFile, 'utf8')) as { pids: number[] }).pids : [],
  );
  const started = await starting?.catch(() => undefined);
  started?.pids.forEach((pid) => pids.add(pid));
  await started?.stop().catch((e: unknown) => console.error('platform stop failed', e));
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('DynamoDBLocal') || cmdline.includes('cognito-local')) process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  removeMemoryDatabase(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
}
