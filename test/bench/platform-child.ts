/**
 * Runs the local platform in its own process for the API benchmark, so that the edge and the handlers do
 * not share an event loop with the load generator. Prints one line `BENCH_PLATFORM <json>` on stdout when
 * ready; logs go to stderr. Stops the platform (and with it DynamoDB Local's JVM and cognito-local) on
 * SIGTERM/SIGINT, and when its stdin closes, which is what happens when the parent dies however it dies.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/local/emulators';
import { startPlatform, type Platform } from '../../lib/local/platform';
import { killEmulator, READY_MARKER, type ChildPlatformInfo } from './platform-info';

// Once the parent is gone, writing to its pipes fails (EPIPE): that must not crash us before the JVM is stopped.
let parentGone = false;
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => void (parentGone = true));
const log = (message: string) => {
  if (!parentGone) process.stderr.write(`[platform-child] ${message}\n`);
};

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-bench-platform-'));
  let platform: Platform | undefined;
  let stopping: Promise<void> | undefined;
  /** The emulators, also while startPlatform is still running (its pid file: a list, or { owner, pids }). */
  const emulatorPids = (): number[] => {
    if (platform) return platform.pids;
    try {
      const file = path.join(dataDir, 'pids.json');
      const record = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as number[] | { pids?: number[] }) : [];
      return Array.isArray(record) ? record : (record.pids ?? []);
    } catch {
      return [];
    }
  };
  // Recorded as soon as known, so that the exit handler can still kill them after the data dir is gone.
  let knownPids: number[] = [];
  const shutdown = (reason: string, code: number) => {
    stopping ??= (async () => {
      log(`stopping (${reason})`);
      try {
        await platform?.stop();
      } catch (e) {
        log(`stop failed: ${(e as Error).message}`);
      } finally {
        knownPids = emulatorPids();
        for (const pid of knownPids) killEmulator(pid);
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(code);
      }
    })();
    return stopping;
  };
  const onParentGone = () => {
    parentGone = true;
    void shutdown('parent gone', 0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.stdin.on('end', onParentGone);
  process.stdin.on('error', onParentGone);
  process.stdin.resume();
  process.on('uncaughtException', (e) => {
    log(`uncaught: ${e.stack ?? e}`);
    void shutdown('uncaught exception', 1);
  });
  // Last resort however this process ends (short of SIGKILL): the emulators it started must not outlive it.
  process.on('exit', () => {
    for (const pid of new Set([...knownPids, ...emulatorPids()])) killEmulator(pid);
  });

  try {
    const [port, dynamoPort, cognitoPort] = [await freePort(), await freePort(), await freePort()];
    platform = await startPlatform({ port, dynamoPort, cognitoPort, dataDir, persist: false, seed: 'demo', log });
  } catch (e) {
    log(`start failed: ${(e as Error).stack ?? e}`);
    await shutdown('start failed', 1);
    return;
  }
  if (stopping) return;
  const info: ChildPlatformInfo = {
    apiUrl: platform.apiUrl,
    dynamoEndpoint: platform.dynamoEndpoint,
    region: platform.region,
    tableNames: platform.tableNames,
    seeded: platform.seeded,
    pids: platform.pids,
    dataDir,
    pid: process.pid,
  };
  process.stdout.write(`${READY_MARKER}${JSON.stringify(info)}\n`);
}

void main();
