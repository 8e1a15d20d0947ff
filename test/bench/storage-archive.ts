/**
 * The storage section's archive half: the archive job's throughput (orders/s: functions/orders/archive over the
 * platform's DynamoDB Local and S3 emulator, batches of 100) beside the raw floor for the same orders in the same
 * run, and their ratio (target ≥ 0.5). The raw side does the writes the job cannot do without: per batch one S3
 * PutObject of the gzipped orders, per order one PutItem of its archive index item and one DeleteItem from the
 * orders table, as many orders at once as the job moves (MOVES_IN_FLIGHT) — the index put is on both sides, so
 * the ratio still measures what the job adds (the read back and check, the manifests, the lease, the conditions).
 * Each round writes the same orders, measures the raw side on them (its index items are removed again, untimed),
 * writes them again and archives them. The orders are dated 1999, so no other order is touched.
 *
 * Standalone: `npx tsx test/bench/storage-archive.ts [orders] [rounds]` starts a platform of its own.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MOVES_IN_FLIGHT } from '../../functions/orders/archive/archive-orders';
import type { BenchContext, Table, Target } from './report';
import { median, round } from './stats';

export interface ArchiveBenchOptions {
  orders: number;
  rounds: number;
}

interface RoundFigures {
  orders: number;
  archiveS: number;
  rawS: number;
  archivePerS: number;
  rawPerS: number;
}

const BATCH = 100;

function ordersOf(count: number, userId: string) {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.UTC(1999, 0, 1) + i * 60_000).toISOString();
    return {
      orderId: `ord_bench_${randomUUID().replaceAll('-', '')}`,
      userId,
      status: i % 4 ? 'CONFIRMED' : 'CANCELLED',
      items: [{ productId: 'prod_bench', name: 'Bench mug', quantity: 1 + (i % 3), unitPrice: 799, lineTotal: 799 }],
      subtotal: 799,
      discount: 0,
      tax: 160,
      shipping: 0,
      total: 959,
      currency: 'GBP',
      shippingAddress: { name: 'Bench', line1: '1 Bench St', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
      payment: { status: 'CHARGED', chargeId: 'ch_bench' },
      history: [{ status: 'CONFIRMED', at }],
      createdAt: at,
      updatedAt: at,
      // The warehouse need not load the bench's orders.
      testData: true,
    };
  });
}

async function writeOrders(doc: DynamoDBDocumentClient, table: string, orders: Record<string, unknown>[]) {
  for (let i = 0; i < orders.length; i += 25) {
    let RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [table]: orders.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (RequestItems && Object.keys(RequestItems).length)
      RequestItems = (await doc.send(new BatchWriteCommand({ RequestItems }))).UnprocessedItems as typeof RequestItems;
  }
}

type BenchOrder = ReturnType<typeof ordersOf>[number];

/**
 * The raw floor: per batch one PutObject of the gzipped orders, then per order one PutItem of its index item and
 * one DeleteItem, `inFlight` orders at once (as the job moves them).
 */
async function rawMove(
  s3: S3Client,
  doc: DynamoDBDocumentClient,
  env: Record<string, string>,
  orders: BenchOrder[],
  inFlight: number,
) {
  for (let i = 0; i < orders.length; i += BATCH) {
    const batch = orders.slice(i, i + BATCH);
    const Key = `bench-raw/${randomUUID()}.json.gz`;
    await s3.send(
      new PutObjectCommand({
        Bucket: env.ORDER_ARCHIVE_BUCKET,
        Key,
        Body: gzipSync(JSON.stringify({ orders: batch })),
        StorageClass: 'GLACIER_IR',
      }),
    );
    for (let j = 0; j < batch.length; j += inFlight) {
      const moves = batch.slice(j, j + inFlight).map(async (order) => {
        const { orderId, userId, status, total, currency, payment, createdAt, updatedAt, testData } = order;
        const item = { orderId, userId, status, total, currency, payment, createdAt, updatedAt, testData };
        await doc.send(
          new PutCommand({ TableName: env.ORDER_ARCHIVE_INDEX_TABLE, Item: { ...item, archiveKey: Key } }),
        );
        await doc.send(new DeleteCommand({ TableName: env.ORDERS_TABLE, Key: { orderId } }));
      });
      await Promise.all(moves);
    }
  }
}

/** Removes the raw side's index items (untimed), so the job indexes the same orders afresh. */
async function removeRawIndexItems(doc: DynamoDBDocumentClient, table: string, orders: BenchOrder[]) {
  for (let i = 0; i < orders.length; i += 25) {
    let RequestItems: Record<string, { DeleteRequest: { Key: Record<string, unknown> } }[]> | undefined = {
      [table]: orders.slice(i, i + 25).map(({ orderId }) => ({ DeleteRequest: { Key: { orderId } } })),
    };
    while (RequestItems && Object.keys(RequestItems).length)
      RequestItems = (await doc.send(new BatchWriteCommand({ RequestItems }))).UnprocessedItems as typeof RequestItems;
  }
}

export async function measureArchive(
  ctx: Pick<BenchContext, 'log'>,
  info: { env: Record<string, string> },
  options: ArchiveBenchOptions = { orders: 500, rounds: 3 },
): Promise<{ tables: Table[]; targets: Target[]; raw: unknown }> {
  const { env } = info;
  // The archive job's adapters read the handlers' environment, as the job does in the platform.
  Object.assign(process.env, env);
  const { archiveOrders } = await import('../../functions/orders/archive/archive-orders');
  const { liveArchiveDeps } = await import('../../functions/orders/archive/deps');
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  const dynamo = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials });
  const doc = DynamoDBDocumentClient.from(dynamo);
  const s3 = new S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    credentials,
    forcePathStyle: true,
  });
  const rounds: RoundFigures[] = [];
  try {
    for (let round_ = 1; round_ <= options.rounds; round_++) {
      const orders = ordersOf(options.orders, `bench-archive-${randomUUID()}`);
      await writeOrders(doc, env.ORDERS_TABLE, orders);
      let t = performance.now();
      await rawMove(s3, doc, env, orders, MOVES_IN_FLIGHT);
      const rawS = (performance.now() - t) / 1000;
      await removeRawIndexItems(doc, env.ORDER_ARCHIVE_INDEX_TABLE, orders);
      await writeOrders(doc, env.ORDERS_TABLE, orders);
      const deps = { ...liveArchiveDeps(), batchSize: BATCH };
      t = performance.now();
      const report = await archiveOrders(deps, { before: '2000-01-01' });
      const archiveS = (performance.now() - t) / 1000;
      if (report.archived !== options.orders)
        throw new Error(`round ${round_}: the archive moved ${report.archived} of ${options.orders} orders`);
      rounds.push({
        orders: options.orders,
        archiveS,
        rawS,
        archivePerS: options.orders / archiveS,
        rawPerS: options.orders / rawS,
      });
      ctx.log(
        `archive round ${round_}: ${round(options.orders / archiveS)} orders/s archived, raw ${round(options.orders / rawS)}/s`,
      );
    }
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
  return archiveFigures(rounds, options);
}

/** The rounds as the section's table and target: medians, and the ratio taken per round. */
function archiveFigures(rounds: RoundFigures[], options: ArchiveBenchOptions) {
  const archivePerS = median(rounds.map((r) => r.archivePerS));
  const rawPerS = median(rounds.map((r) => r.rawPerS));
  // Each round's two sides ran back to back on the same orders: the ratio is taken per round, then its median.
  const ratio = median(rounds.map((r) => r.archivePerS / r.rawPerS));
  return {
    tables: [
      {
        title: `Archive of old orders (${options.orders} orders per round, batches of ${BATCH}, median of ${options.rounds} rounds)`,
        columns: ['side', 'orders/s', 'per round (s)'],
        rows: [
          [
            'archive job (lease, write, read back, verify, manifests, conditional index put + delete)',
            round(archivePerS),
            rounds.map((r) => round(r.archiveS, 2)).join(' / '),
          ],
          [
            `raw S3 PutObject per batch + index PutItem and orders DeleteItem per order (${MOVES_IN_FLIGHT} in flight)`,
            round(rawPerS),
            rounds.map((r) => round(r.rawS, 2)).join(' / '),
          ],
        ],
      },
    ],
    targets: [
      {
        name: 'archive throughput ÷ raw PUT + delete rate',
        target: '≥ 0.5',
        actual: round(ratio, 2).toString(),
        pass: ratio >= 0.5,
      },
    ],
    raw: { rounds, archivePerS, rawPerS, ratio },
  };
}

/** Standalone: a platform of its own, the measurement, the figures as JSON on stdout. */
async function standalone() {
  const [orders = '500', rounds = '3'] = process.argv.slice(2);
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { startPlatformOnFreePorts, stopPlatformStartedIn } = await import('../support/platform-on-free-ports');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-archive-'));
  const starting = startPlatformOnFreePorts({ dataDir, seed: 'none' });
  try {
    const platform = await starting;
    const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
    console.log(
      JSON.stringify(
        await measureArchive({ log }, platform, { orders: Number(orders), rounds: Number(rounds) }),
        null,
        2,
      ),
    );
  } finally {
    await stopPlatformStartedIn(starting, dataDir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await standalone();
