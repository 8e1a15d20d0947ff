/**
 * Runs the local platform in its own process for the API benchmark, so that the edge and the handlers do
 * not share an event loop with the load generator. Prints one line `BENCH_PLATFORM <json>` on stdout when
 * ready; logs go to stderr. Stops the platform (and with it DynamoDB Local's JVM and cognito-local) on
 * SIGTERM/SIGINT, and when its stdin closes, which is what happens when the parent dies however it dies.
 *
 * Spawned with an 'ipc' channel (the checkout section), it also counts every DynamoDB request the
 * handlers send (a middleware on the shared `dynamoClient()`) and what AWS would bill for the run
 * (./checkout-billing.ts: Lambda, Step Functions, Kinesis, DynamoDB request units), reports each order's CONFIRMED/CANCELLED
 * write as it succeeds, and answers the requests of ./child-ipc.ts. Without the channel it adds nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { invokingFunction } from '@ecicomm/local-platform/lambda/local-invoker';
import { projectRoot, type Platform } from '@ecicomm/local-platform/platform';
import { removeMemoryDatabase } from '@ecicomm/local-platform/platform/database-emulators';
import { dynamoClient } from '../../functions/shared/clients';
import { installBillingTaps } from './checkout-billing';
import { emptyCounts } from './checkout-cost';
import { startCpuProfile } from './cpu-profile';
import type { ChildMessage, ChildRequest, DynamoCounts } from './child-ipc';
import { startPlatformOnFreePorts } from '../support/platform-on-free-ports';
import { killEmulator, READY_MARKER, type ChildPlatformInfo } from './platform-info';

// Once the parent is gone, writing to its pipes fails (EPIPE): that must not crash us before the JVM is stopped.
let parentGone = false;
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => void (parentGone = true));
const log = (message: string) => {
  if (!parentGone) process.stderr.write(`[platform-child] ${message}\n`);
};

const wallClockMs = () => performance.timeOrigin + performance.now();

/** A string attribute as the document client (plain) or the bare client (`{ S }`) carries it. */
const stringValue = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as { S?: unknown }).S === 'string'
      ? (v as { S: string }).S
      : undefined;

interface UpdateInput {
  TableName?: string;
  Key?: Record<string, unknown>;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The order status an update on the orders table SETs, if any: `SET #status = :confirmed` → CONFIRMED. */
function orderStatusWrite(
  update: UpdateInput,
  ordersTable: string,
): { orderId: string; status: 'CONFIRMED' | 'CANCELLED' } | undefined {
  if (update.TableName !== ordersTable || !update.UpdateExpression) return undefined;
  const orderId = stringValue(update.Key?.orderId);
  if (!orderId) return undefined;
  for (const m of update.UpdateExpression.matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    const attribute = m[1].startsWith('#') ? update.ExpressionAttributeNames?.[m[1]] : m[1];
    if (attribute !== 'status') continue;
    const status = stringValue(update.ExpressionAttributeValues?.[m[2]]);
    return status === 'CONFIRMED' || status === 'CANCELLED' ? { orderId, status } : undefined;
  }
  return undefined;
}

type TableInput = {
  TableName?: string;
  TransactItems?: Record<string, { TableName?: string }>[];
  RequestItems?: Record<string, unknown>;
};

/** `Command table` with the logical table names (a transaction's tables joined with +), e.g. `PutItem orders`. */
function requestSignature(platform: Platform): (name: string, input: TableInput) => string {
  const logical = new Map(Object.entries(platform.tableNames).map(([key, physical]) => [physical, key]));
  return (name, input) => {
    const physical = input.TableName
      ? [input.TableName]
      : input.TransactItems
        ? input.TransactItems.flatMap((t) => Object.values(t).map((op) => op.TableName ?? '?'))
        : Object.keys(input.RequestItems ?? {});
    return `${name} ${[...new Set(physical.map((t) => logical.get(t) ?? t))].join('+') || '?'}`;
  };
}

const bump = (record: Record<string, number>, key: string) => void (record[key] = (record[key] ?? 0) + 1);
const commandName = (context: { commandName?: string }) => (context.commandName ?? 'Unknown').replace(/Command$/, '');

/** The order status writes among a command's updates (the confirmation's transaction, the cancellation's update). */
function orderStatusWrites(
  name: string,
  input: { TransactItems?: { Update?: UpdateInput }[] } & UpdateInput,
  ordersTable: string,
) {
  const updates =
    name === 'TransactWriteItems'
      ? (input.TransactItems ?? []).map((t) => t.Update)
      : name === 'UpdateItem'
        ? [input]
        : [];
  return updates.flatMap((update) => {
    const write = update && orderStatusWrite(update, ordersTable);
    return write ? [write] : [];
  });
}

/** The platform process's event loop since the last reset: busy fraction and timer delay beyond schedule. */
function eventLoopWindow() {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let elu = performance.eventLoopUtilization();
  return {
    read: (): NonNullable<DynamoCounts['eventLoop']> => ({
      utilization: performance.eventLoopUtilization(elu).utilization,
      // The histogram counts the sampling resolution itself as delay.
      delayMeanMs: Math.max(0, delay.mean / 1e6 - 10),
      delayP99Ms: Math.max(0, delay.percentile(99) / 1e6 - 10),
    }),
    reset: () => {
      elu = performance.eventLoopUtilization();
      delay.reset();
    },
  };
}

/**
 * Counts the handlers' DynamoDB requests: commands at the initialize step (once per `send`), attempts at
 * the deserialize step (inside the SDK's retry loop). The document client shares the bare client's
 * middleware stack, so both, and the Powertools idempotency layer, pass through here.
 */
function installDynamoTap(platform: Platform, send: (message: ChildMessage) => void) {
  let counts = emptyCounts();
  let since = performance.now();
  const billing = installBillingTaps();
  const signatureOf = requestSignature(platform);
  const stack = dynamoClient().middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const name = commandName(context);
      bump(counts.commands, name);
      const input = args.input as { TransactItems?: { Update?: UpdateInput }[] } & UpdateInput;
      if (name === 'TransactWriteItems') counts.transactItems += input.TransactItems?.length ?? 0;
      const signature = signatureOf(name, input);
      bump(counts.byTable, signature);
      bump(counts.byFunction, invokingFunction() ?? '(platform)');
      billing.dynamoRequest(name, input as Parameters<typeof billing.dynamoRequest>[1]);
      const t0 = performance.now();
      let result;
      try {
        result = await next(args);
      } catch (e) {
        bump(counts.errors, `${name}:${(e as Error).name}`);
        throw e;
      } finally {
        // The counts may have been reset meanwhile: the time goes to the window the command ended in.
        counts.msByTable[signature] = (counts.msByTable[signature] ?? 0) + performance.now() - t0;
      }
      for (const write of orderStatusWrites(name, input, platform.tableNames.orders))
        send({ type: 'order', ...write, at: wallClockMs() });
      return result;
    },
    { step: 'initialize', name: 'benchDynamoCommandTap' },
  );
  stack.add(
    (next, context) => async (args) => {
      bump(counts.attempts, commandName(context));
      return next(args);
    },
    { step: 'deserialize', name: 'benchDynamoAttemptTap' },
  );
  const eventLoop = eventLoopWindow();
  const read = (reset: boolean): DynamoCounts => {
    const out: DynamoCounts = {
      ...counts,
      windowMs: performance.now() - since,
      eventLoop: eventLoop.read(),
      billing: billing.read(reset),
    };
    if (reset) {
      counts = emptyCounts();
      since = performance.now();
      eventLoop.reset();
    }
    return out;
  };
  return { read };
}

/**
 * Stops the platform and its emulators however this process ends: SIGTERM/SIGINT, the parent gone (stdin
 * closed, IPC disconnected), an uncaught exception, and — short of SIGKILL — exit.
 */
function stopOnEveryExit(dataDir: string) {
  let platform: Platform | undefined;
  let stopping: Promise<void> | undefined;
  /** Runs first on the way out (the CPU profile's write, ./cpu-profile.ts). */
  let beforeStop: (() => Promise<void>) | undefined;
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
        await beforeStop?.().catch((e: Error) => log(`CPU profile not written: ${e.message}`));
        await platform?.stop();
      } catch (e) {
        log(`stop failed: ${(e as Error).message}`);
      } finally {
        knownPids = emulatorPids();
        for (const pid of knownPids) killEmulator(pid);
        removeMemoryDatabase(dataDir);
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
  return {
    shutdown,
    onParentGone,
    started: (running: Platform) => void (platform = running),
    beforeStop: (hook: () => Promise<void>) => void (beforeStop = hook),
    stopping: () => stopping !== undefined,
  };
}

/** The checkout section's requests over IPC: the DynamoDB counts, and a wait until no saga runs. */
function answerParent(platform: Platform) {
  const send = (message: ChildMessage) => {
    if (process.connected) process.send!(message, undefined, undefined, () => undefined);
  };
  const tap = installDynamoTap(platform, send);
  process.on('message', (request: ChildRequest) => {
    if (request.type === 'counts') send({ type: 'counts', id: request.id, counts: tap.read(request.reset) });
    else if (request.type === 'idle') {
      platform.sagasIdle(request.timeoutMs).then(
        () => send({ type: 'idle', id: request.id, ok: true }),
        (e: Error) => send({ type: 'idle', id: request.id, ok: false, error: e.message }),
      );
    }
  });
}

const readyInfo = (platform: Platform, dataDir: string): ChildPlatformInfo => ({
  apiUrl: platform.apiUrl,
  dynamoEndpoint: platform.dynamoEndpoint,
  region: platform.region,
  tableNames: platform.tableNames,
  seeded: platform.seeded,
  admin: { email: platform.admin.email, password: platform.admin.password },
  search: { endpoint: platform.search.endpoint, index: platform.search.index },
  env: platform.env,
  pids: platform.pids,
  dataDir,
  pid: process.pid,
});

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-bench-platform-'));
  const lifetime = stopOnEveryExit(dataDir);
  const ipc = typeof process.send === 'function';
  if (ipc) process.once('disconnect', lifetime.onParentGone);

  let platform: Platform;
  try {
    // Free ports for the in-process SQS and Step Functions emulators too: their defaults (9324, 8083) are
    // those of a running `npm start`. No sweeper timer: it would add DynamoDB requests to what is measured.
    // BENCH_SEED=dataset: the Online Retail catalog (DATASET_DIR; the demo catalog where it is absent), for the search section.
    const seed = process.env.BENCH_SEED === 'dataset' ? 'dataset' : 'demo';
    const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
    // BENCH_INSIGHTS_MODEL_DIR: the demand-insights model to serve (the ml section's, trained beforehand).
    const insightsDir = process.env.BENCH_INSIGHTS_MODEL_DIR;
    // BENCH_MODEL_DIR: the recommendation model to serve (the paths section's, trained beforehand).
    const modelDir = process.env.BENCH_MODEL_DIR;
    platform = await startPlatformOnFreePorts({
      dataDir,
      seed,
      datasetDir,
      log,
      ...(insightsDir ? { insights: { dir: insightsDir } } : {}),
      ...(modelDir ? { model: { dir: modelDir } } : {}),
    });
    lifetime.started(platform);
  } catch (e) {
    log(`start failed: ${(e as Error).stack ?? String(e)}`);
    await lifetime.shutdown('start failed', 1);
    return;
  }
  if (lifetime.stopping()) return;
  if (ipc) answerParent(platform);
  const writeProfile = await startCpuProfile(process.env.BENCH_CPU_PROFILE);
  if (writeProfile) lifetime.beforeStop(writeProfile);
  process.stdout.write(`${READY_MARKER}${JSON.stringify(readyInfo(platform, dataDir))}\n`);
}

void main();
