/**
 * The api section's peer: the same getProduct handler served by serverless-offline (Serverless Framework v3 and
 * serverless-offline 13, devDependencies: v4 of the framework needs an account), on its own ports, against the
 * platform's DynamoDB Local and products table. The handler is bundled as the bundles section bundles it for
 * CDK (esbuild, ESM, @aws-sdk external) into a temp service directory whose node_modules is a link to the project's,
 * so the SDK resolves as the Lambda runtime's copy would. No account, no network: telemetry, notifications and the
 * interactive setup are off. Started in its own process group and stopped by pid, whatever happens.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { functionBuildOptions } from '../../lib/contexts/function-bundling';
import { freePorts } from '../support/platform-on-free-ports';
import { alive } from './platform-process';
import type { BenchContext } from './report';

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;

/**
 * How serverless-offline runs the handler. In-process: no worker thread per function and no message passing
 * between threads, its fastest mode for Node (README "Run modes"; reloadHandler is off by default in v13).
 * BENCH_PEER_MODE=workerThreads measures its default mode instead (no flag).
 */
export const PEER_MODE = process.env.BENCH_PEER_MODE === 'workerThreads' ? 'workerThreads' : 'useInProcess';

export interface PeerOptions {
  /** The handler's environment: the platform's (endpoints, credentials, table names). */
  env: Record<string, string>;
  region: string;
}

/** `serverless.json`: one function, the REST (payload 1.0) route our edge serves it on, the handler's environment. */
const serviceDefinition = ({ env, region }: PeerOptions) => ({
  service: 'ecicomm-bench-peer',
  frameworkVersion: '3',
  // The framework's schema stops at nodejs20.x; serverless-offline 13 runs nodejs22.x, on this Node.
  configValidationMode: 'off',
  provider: { name: 'aws', runtime: 'nodejs22.x', region, memorySize: 1024, environment: env },
  functions: {
    getProduct: {
      handler: 'getProduct/index.handler',
      events: [{ http: { path: 'v1/products/{id}', method: 'get' } }],
    },
  },
  plugins: ['serverless-offline'],
});

async function prepareService(ctx: BenchContext, options: PeerOptions): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-bench-peer-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'getProduct'));
  const entry = path.join(ctx.projectRoot, 'functions', 'catalog', 'handlers', 'get-product.ts');
  const result = await esbuild.build(functionBuildOptions({ entry, outdir: path.join(dir, 'getProduct') }));
  if (result.errors.length) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  symlinkSync(path.join(ctx.projectRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'serverless.json'), JSON.stringify(serviceDefinition(options), null, 2));
  return dir;
}

/** Polls the route until it answers 200 (serverless-offline loads the handler on the first request). */
async function waitReady(url: string, exited: () => boolean, logTail: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited()) throw new Error(`serverless-offline exited before it was ready:\n${logTail()}`);
    const status = await fetch(url).then(
      (r) => r.arrayBuffer().then(() => r.status),
      () => 0,
    );
    if (status === 200) return;
    if (status !== 0) throw new Error(`serverless-offline answered ${status} on ${url}:\n${logTail()}`);
    if (Date.now() > deadline)
      throw new Error(`serverless-offline not ready in ${READY_TIMEOUT_MS / 1000} s:\n${logTail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** serverless-offline serving getProduct; resolves with its base URL once `probePath` answers 200. */
export async function startPeer(ctx: BenchContext, options: PeerOptions, probePath: string) {
  const dir = await prepareService(ctx, options);
  const [httpPort, lambdaPort] = await freePorts(2);
  const logFile = path.join(dir, 'offline.log');
  const out = openSync(logFile, 'w');
  const cli = path.join(ctx.projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const ports = ['--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)];
  const args = ['offline', 'start', '--host', '127.0.0.1', ...ports];
  const mode = PEER_MODE === 'useInProcess' ? ['--useInProcess'] : [];
  const child = spawn(process.execPath, [cli, ...args, '--noPrependStageInUrl', ...mode], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_INTERACTIVE_SETUP_DISABLE: '1',
      SLS_DEPRECATION_DISABLE: '*',
    },
  });
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone.
    }
  };
  ctx.defer(async () => {
    killGroup('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
    killGroup('SIGKILL');
    if (alive(pid)) ctx.log(`peer: serverless-offline (pid ${pid}) still alive after SIGKILL`);
  });
  ctx.onExit(() => killGroup('SIGKILL'));
  const url = `http://127.0.0.1:${httpPort}`;
  const logTail = () => readFileSync(logFile, 'utf8').slice(-2000);
  await waitReady(`${url}${probePath}`, () => child.exitCode !== null || child.signalCode !== null, logTail);
  ctx.log(`peer: serverless-offline (${PEER_MODE}) ready at ${url} (pid ${pid})`);
  return { url, pid, mode: PEER_MODE };
}
export type Peer = Awaited<ReturnType<typeof startPeer>>;
