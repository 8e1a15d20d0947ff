/** The platform child process that benchmark sections load: start, readiness, and a stop that leaves nothing behind. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { killEmulator, READY_MARKER, type ChildPlatformInfo } from './platform-info';
import type { BenchContext } from './report';

const READY_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 15_000;

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The child leads its own process group (detached), so the JVM and cognito-local it starts are in it too. */
export const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is empty.
  }
};

export interface RunningPlatform {
  info: ChildPlatformInfo;
  child: ChildProcess;
}

/**
 * Starts the local platform in its own process (and process group) for a benchmark section, and makes
 * sure it and its emulators are stopped however the section ends. `ipc` adds a message channel.
 */
export async function startPlatformChild(
  ctx: BenchContext,
  {
    label,
    ipc = false,
    env = {},
    onStderr,
  }: { label: string; ipc?: boolean; env?: Record<string, string>; onStderr?: (chunk: string) => void },
): Promise<RunningPlatform> {
  const script = path.join(ctx.projectRoot, 'test', 'bench', 'platform-child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ctx.projectRoot,
    detached: true,
    stdio: ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN', ...env },
  });
  let info: ChildPlatformInfo | undefined;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      ctx.log(`${label}: stopping the platform child (SIGTERM)`);
      child.kill('SIGTERM');
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), STOP_GRACE_MS).unref()),
      ]);
      if (timedOut) {
        ctx.log(`${label}: platform child did not stop in time: SIGKILL to its process group`);
        killGroup(child, 'SIGKILL');
        await exited;
      }
    }
    // Whatever is left in the child's process group can only be what it started (the emulators).
    killGroup(child, 'SIGKILL');
    for (const pid of info?.pids ?? []) killEmulator(pid);
    if (info?.dataDir && existsSync(info.dataDir)) rmSync(info.dataDir, { recursive: true, force: true });
    const left = (info?.pids ?? []).filter(alive);
    if (left.length) ctx.log(`${label}: emulator pids still alive after stop: ${left.join(', ')}`);
  };
  ctx.defer(stop);
  ctx.onExit(() => {
    killGroup(child, 'SIGKILL');
    for (const pid of info?.pids ?? []) killEmulator(pid);
  });

  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    onStderr?.(chunk);
    process.stderr.write(chunk);
  });
  child.stdout!.setEncoding('utf8');
  let stdout = '';
  const ready = new Promise<ChildPlatformInfo>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith(READY_MARKER));
      if (line && !info) {
        info = JSON.parse(line.slice(READY_MARKER.length)) as ChildPlatformInfo;
        resolve(info);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`platform child exited (${code ?? signal}) before it was ready:\n${stderrTail}`)),
    );
    setTimeout(
      () => reject(new Error(`platform child not ready within ${READY_TIMEOUT_MS / 1000} s:\n${stderrTail}`)),
      READY_TIMEOUT_MS,
    ).unref();
  });
  return { info: await ready, child };
}

/** CPU seconds (user + system) a process has used, from /proc. */
export const cpuSeconds = (pid: number): number | undefined => {
  try {
    // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 Hz on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
};

/** CPU seconds per process over a part of a section: this process, the platform child, DynamoDB Local's JVM. */
export interface CpuUse {
  bench: number;
  platformChild: number;
  dynamodbLocal: number;
}

/** Snapshots of the three processes' CPU time, and what was used between two of them. */
export function cpuMeter(pids: { platformChild: number; dynamodbLocal: number }) {
  const snapshot = () => ({
    child: cpuSeconds(pids.platformChild),
    java: cpuSeconds(pids.dynamodbLocal),
    self: process.cpuUsage(),
  });
  const between = (a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>): CpuUse => ({
    bench: (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6,
    platformChild: (b.child ?? 0) - (a.child ?? 0),
    dynamodbLocal: (b.java ?? 0) - (a.java ?? 0),
  });
  return { snapshot, between };
}
export type CpuMeter = ReturnType<typeof cpuMeter>;
