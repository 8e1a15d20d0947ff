/**
 * `npm start`'s program in a child process, on free ports and a data directory of the test's, that a test
 * can kill -9 and start again on the same data (crash testing). Every start, kill and stop is tracked, and
 * `killEverything()` leaves no platform or emulator behind however the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@ecicomm/local-platform/platform';
import type { RuntimeInfo } from '@ecicomm/local-platform/running-platform';
import { freePorts } from './platform-on-free-ports';

/** `npm start`'s command, run with this Node (tsx as a loader, as package.json's start script does). */
export const START_ARGS = (() => {
  const [command, ...args] = (
    JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start.split(' ');
  if (command !== 'node') throw new Error(`npm start is expected to run node, not ${command}`);
  return args;
})();

/** The variables through which `npm start` takes each service's port (bin/local.ts). */
export const PORT_VARIABLES = [
  'PORT',
  'DYNAMODB_PORT',
  'COGNITO_PORT',
  'SQS_PORT',
  'STEPFUNCTIONS_PORT',
  'KINESIS_PORT',
  'LAMBDA_PORT',
  'MODEL_PORT',
  'INSIGHTS_MODEL_PORT',
  'SEARCH_PORT',
  'S3_PORT',
  'EVENTBRIDGE_PORT',
  'SES_PORT',
  'REDSHIFT_DATA_PORT',
  'WAREHOUSE_PORT',
] as const;

/** A distinct free port for every service, as `npm start`'s environment. */
export async function freePortEnvironment(): Promise<Record<(typeof PORT_VARIABLES)[number], string>> {
  const ports = await freePorts(PORT_VARIABLES.length);
  return Object.fromEntries(PORT_VARIABLES.map((name, i) => [name, String(ports[i])])) as Record<
    (typeof PORT_VARIABLES)[number],
    string
  >;
}

/** The platform ended before it said it was ready (e.g. killed by an injected fault while resuming sagas). */
export class ExitedBeforeReady extends Error {
  constructor(
    readonly how: string,
    output: string,
  ) {
    super(`the platform exited (${how}) before it was ready:\n${output}`);
  }
}

export interface RunningPlatformProcess {
  child: ChildProcess;
  runtime: RuntimeInfo;
  apiUrl: string;
  /** From spawn to ready. */
  startedInMs: number;
  /** Resolves with the signal (or exit code) the process ended with. */
  exited: Promise<string>;
  output(): string;
}

export class PlatformProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts `npm start --quiet --no-seed` on fresh free ports and waits until it says it is ready. */
  async start(extraEnv: Record<string, string> = {}, readyTimeoutMs = 90_000): Promise<RunningPlatformProcess> {
    const spawned = Date.now();
    const portEnv = await freePortEnvironment();
    const child = spawn(process.execPath, [...START_ARGS, '--quiet', '--no-seed'], {
      cwd: projectRoot,
      env: { ...process.env, ...this.env, ...portEnv, ...extraEnv, LOCAL_DATA_DIR: this.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    let output = '';
    // Drained for the whole life of the child: a full pipe would stop it answering.
    const append = (b: Buffer) => (output = (output + b.toString()).slice(-20_000));
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? String(code))),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the platform was not ready within ${readyTimeoutMs} ms:\n${output}`)),
        readyTimeoutMs,
      );
      const check = () => output.includes('Press Ctrl-C to stop.') && (clearTimeout(timer), resolve());
      child.stdout.on('data', check);
      void exited.then((how) => (clearTimeout(timer), reject(new ExitedBeforeReady(how, output))));
    });
    const runtime = JSON.parse(readFileSync(path.join(this.dataDir, 'runtime.json'), 'utf8')) as RuntimeInfo;
    return { child, runtime, apiUrl: runtime.apiUrl, startedInMs: Date.now() - spawned, exited, output: () => output };
  }

  /** kill -9 of the platform's process; its emulators are left as a crash leaves them (the next start stops them). */
  async kill9(running: RunningPlatformProcess): Promise<void> {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    await running.exited;
  }

  /** Ctrl-C, as a user stops it; SIGKILL if it does not stop in time. */
  async stop(running: RunningPlatformProcess): Promise<void> {
    if (running.child.exitCode !== null || running.child.signalCode !== null) return;
    running.child.kill('SIGINT');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 30_000);
    await running.exited;
    clearTimeout(timer);
  }

  /** Every platform process started and every emulator the data directory names, SIGKILLed. */
  killEverything(): void {
    const file = path.join(this.dataDir, 'pids.json');
    const emulators = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { pids: number[] }).pids : [];
    for (const pid of [...this.children.map((c) => c.pid!), ...emulators]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
