/**
 * The checkout section's raw side: this process → DynamoDB Local, a scratch table, the op mix the checkout sent
 * (as counted in its warm-up), at the same concurrency.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoCounts } from './child-ipc';
import type { ChildPlatformInfo } from './platform-info';
import type { CpuMeter, CpuUse } from './platform-process';
import type { BenchContext } from './report';
import { seededRandom } from '../../ml/src/random';

/** The raw side: one op of the checkout's mix against a scratch table, the same kind of request the handlers send. */
export type RawOp = 'GetItem' | 'PutItem' | 'UpdateItem' | 'TransactWriteItems' | 'Query' | 'DeleteItem';
export const RAW_OPS: RawOp[] = ['GetItem', 'PutItem', 'UpdateItem', 'TransactWriteItems', 'Query', 'DeleteItem'];

export interface RawFigures {
  ops: number;
  errors: number;
  elapsedS: number;
  opsPerS: number;
  byOp: Record<string, number>;
  latencyMs: number[];
  firstError?: string;
  cpu: CpuUse;
}

/**
 * Like the reservation (a Put and conditional Updates of stock) and the confirmation (conditional Updates): a
 * conditional Put of `freshKey` and conditional Updates of distinct existing items, `itemsPerTransaction` items on average.
 */
function reservationLikeTransaction(
  table: string,
  itemsPerTransaction: number,
  freshKey: string,
  existing: () => string,
  r: () => number,
) {
  const whole = Math.floor(itemsPerTransaction);
  const size = Math.max(1, whole + (r() < itemsPerTransaction - whole ? 1 : 0));
  const picked = new Set<string>();
  while (picked.size < size - 1) picked.add(existing());
  return new TransactWriteCommand({
    TransactItems: [
      {
        Put: {
          TableName: table,
          Item: { pk: freshKey, payload: 'x'.repeat(600), n: 0 },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...[...picked].map((pk) => ({
        Update: {
          TableName: table,
          Key: { pk },
          UpdateExpression: 'SET n = n + :q',
          ConditionExpression: 'n >= :zero',
          ExpressionAttributeValues: { ':q': 1, ':zero': 0 },
        },
      })),
    ],
  });
}

export function rawWorkload(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: number,
  mix: { weights: [RawOp, number][]; itemsPerTransaction: number },
) {
  const total = mix.weights.reduce((n, [, w]) => n + w, 0);
  const payload = 'x'.repeat(600);
  let fresh = 0;
  const existing = (r: () => number) => `k${Math.floor(r() * keys)}`;
  const pick = (r: () => number): RawOp => {
    let x = r() * total;
    for (const [op, w] of mix.weights) if ((x -= w) < 0) return op;
    return mix.weights.at(-1)![0];
  };
  // Order writes are conditional, as the handlers' are: a condition that holds costs the same evaluation.
  const send = (op: RawOp, r: () => number): Promise<unknown> => {
    switch (op) {
      case 'GetItem':
        return doc.send(new GetCommand({ TableName: table, Key: { pk: existing(r) }, ConsistentRead: true }));
      case 'PutItem':
        return doc.send(
          new PutCommand({
            TableName: table,
            Item: { pk: `n${process.pid}-${fresh++}`, payload, n: 0, at: new Date().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      case 'UpdateItem':
        return doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: existing(r) },
            UpdateExpression:
              'SET n = n + :one, updatedAt = :at, history = list_append(if_not_exists(history, :empty), :entry)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':one': 1,
              ':at': new Date().toISOString(),
              ':empty': [],
              ':entry': [{ at: Date.now() }],
            },
          }),
        );
      case 'TransactWriteItems':
        return doc.send(
          reservationLikeTransaction(
            table,
            mix.itemsPerTransaction,
            `t${process.pid}-${fresh++}`,
            () => existing(r),
            r,
          ),
        );
      case 'Query':
        return doc.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': existing(r) },
            Limit: 10,
          }),
        );
      case 'DeleteItem':
        return doc.send(new DeleteCommand({ TableName: table, Key: { pk: `gone-${fresh++}` } }));
    }
  };
  return { pick, send };
}

async function createScratchTable(client: DynamoDBClient, doc: DynamoDBDocumentClient, table: string, keys: number) {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: table });
  const payload = 'x'.repeat(600);
  for (let i = 0; i < keys; i += 25) {
    const batch = Array.from({ length: Math.min(25, keys - i) }, (_, j) => ({
      PutRequest: { Item: { pk: `k${i + j}`, payload, n: 0, history: [] } },
    }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
  }
}

const RAW_WARMUP_MAX_S = 20;
export const SCRATCH_KEYS = 1000;

/** The checkout's command mix as a warm-up counted it: weights per op, items per transaction, and what is not replayed. */
export function mixFrom(counts: DynamoCounts) {
  const unsupported = Object.keys(counts.commands).filter((c) => !RAW_OPS.includes(c as RawOp));
  return {
    weights: RAW_OPS.filter((op) => counts.commands[op]).map((op): [RawOp, number] => [op, counts.commands[op]]),
    itemsPerTransaction: counts.commands.TransactWriteItems
      ? counts.transactItems / counts.commands.TransactWriteItems
      : 2,
    unsupported,
  };
}
export type RawMix = ReturnType<typeof mixFrom>;

/** A client of the child's DynamoDB Local and a scratch table of SCRATCH_KEYS items, both gone when the section ends. */
export async function openRawSide(ctx: BenchContext, info: ChildPlatformInfo) {
  const client = new DynamoDBClient({
    region: info.region,
    endpoint: info.dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  ctx.defer(() => client.destroy());
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = `bench-scratch-${randomUUID().slice(0, 8)}`;
  await createScratchTable(client, doc, table, SCRATCH_KEYS);
  ctx.defer(async () => {
    await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  });
  return { doc, table };
}

/** `concurrency` loops replaying the workload until the deadline, each with its own seeded PRNG. */
export async function rawSlice(
  workload: ReturnType<typeof rawWorkload>,
  seconds: number,
  seed: number,
  concurrency: number,
  cpu: CpuMeter,
): Promise<RawFigures> {
  const latencyMs: number[] = [];
  const byOp: Record<string, number> = {};
  let errors = 0;
  let firstError: string | undefined;
  const a = cpu.snapshot();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const loop = async (i: number) => {
    const r = seededRandom(seed * 1000 + i);
    while (performance.now() < deadline) {
      const op = workload.pick(r);
      const s = performance.now();
      try {
        await workload.send(op, r);
        latencyMs.push(performance.now() - s);
        byOp[op] = (byOp[op] ?? 0) + 1;
      } catch (e) {
        errors++;
        firstError ??= `${op}: ${(e as Error).name}: ${(e as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
  const elapsedS = (performance.now() - t0) / 1000;
  const b = cpu.snapshot();
  return {
    ops: latencyMs.length,
    errors,
    elapsedS,
    opsPerS: latencyMs.length / elapsedS,
    byOp,
    latencyMs,
    firstError,
    cpu: cpu.between(a, b),
  };
}

/**
 * DynamoDB Local's JIT keeps speeding the JVM up for many seconds of load, the raw side far more than
 * the checkout (whose time is mostly the platform process's): warm it with raw slices until two in a
 * row agree within 10 % (at least 3 slices, at most RAW_WARMUP_MAX_S), so the rounds do not measure a ramp.
 * Returns each slice's ops/s.
 */
export async function warmRawSide(
  workload: ReturnType<typeof rawWorkload>,
  concurrency: number,
  cpu: CpuMeter,
): Promise<number[]> {
  const rawWarmup: number[] = [];
  const w0 = performance.now();
  for (let i = 0; ; i++) {
    rawWarmup.push((await rawSlice(workload, 2, 900 + i, concurrency, cpu)).opsPerS);
    const [prev, last] = rawWarmup.slice(-2);
    const settled = rawWarmup.length >= 3 && Math.abs(last - prev) <= 0.1 * prev;
    if (settled || (performance.now() - w0) / 1000 >= RAW_WARMUP_MAX_S) break;
  }
  return rawWarmup;
}
