/**
 * The history replay's writes: the dataset's invoices in a date range, mapped by ./mapping.ts, written to the
 * running platform as its own records — orders into the orders table with BatchWriteItem (their stream
 * carries them to the warehouse like live orders) and purchase events onto the clickstream with PutRecords
 * (through the same adapter POST /v1/events uses). Shared by `npm run replay:history` (bin/replay-history.ts),
 * the to-the-penny integration test and the analytics benchmark, each passing the platform's environment.
 */
import { readFileSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisClickstream, type RetryOptions } from '../../../functions/analytics/adapters/kinesis-clickstream';
import type { ClickEvent } from '../../../functions/analytics/ports';
import type { Order } from '../../../functions/orders/schemas';
import { listDatasetFiles, readInvoiceLineBatches } from '../../../catalog-data/invoice-lines';
import { runtimeFile } from '../platform';
import { addToTally, emptyTally, invoicesInRange, planInvoice, type DateRange, type ReplayTally } from './mapping';

/** BatchWriteItem takes at most 25 puts. */
export const ORDERS_PER_BATCH = 25;
/** PutRecords takes at most 500 records. */
export const EVENTS_PER_BATCH = 500;

export interface ReplayOptions {
  /** The platform's environment: AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB/_KINESIS, ORDERS_TABLE, CLICKSTREAM_STREAM. */
  env: Record<string, string | undefined>;
  datasetDir: string;
  range: DateRange;
  /** At most this many invoices per second; unthrottled when undefined. */
  rate?: number;
  /** Write requests in flight at once (default 4). */
  concurrency?: number;
  /** Called once the invoices in range are counted, before the first write. */
  onStart?: (invoices: number) => void;
  /** Invoices done (written, or found empty) so far. */
  onProgress?: (invoicesDone: number) => void;
  now?: () => Date;
  /** How Kinesis records it refused are sent again (default: 10 attempts, backoff from 50 ms). */
  kinesisRetry?: RetryOptions;
  /** The clients to write with; by default made from `env` (tests pass fakes). */
  clients?: ReplayClients;
}

export interface ReplayClients {
  documents: Pick<DynamoDBDocumentClient, 'send'>;
  kinesis: Pick<KinesisClient, 'send'>;
}

export interface ReplayResult extends ReplayTally {
  /** Wall-clock (epoch ms) of the first write request and of the last write's completion; undefined without writes. */
  firstWriteAt?: number;
  lastWriteAt?: number;
  /** From the start of writing to the last write's completion. */
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const wallClockMs = () => performance.timeOrigin + performance.now();

function required(env: ReplayOptions['env'], name: string): string {
  const value = env[name];
  if (!value) throw new Error(`The platform's environment lacks ${name}`);
  return value;
}

/** Clients for the platform the environment describes: its emulators' endpoints locally, AWS without them. */
function clientsFor(env: ReplayOptions['env']): ReplayClients & { destroy(): void } {
  const region = required(env, 'AWS_REGION');
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : undefined;
  const dynamo = new DynamoDBClient({ region, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials, maxAttempts: 5 });
  // HTTP/1.1: kinesalite speaks no HTTP/2 (and PutRecords needs none in AWS).
  const kinesis = new KinesisClient({
    region,
    endpoint: env.AWS_ENDPOINT_URL_KINESIS,
    credentials,
    maxAttempts: 5,
    requestHandler: new NodeHttpHandler(),
  });
  return {
    documents: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    kinesis,
    destroy: () => {
      dynamo.destroy();
      kinesis.destroy();
    },
  };
}

/** Puts the orders, sending again whatever DynamoDB left unprocessed, with backoff, a bounded number of times. */
async function putOrders(
  documents: ReplayClients['documents'],
  table: string,
  orders: readonly Order[],
): Promise<void> {
  let requests = orders.map((order) => ({ PutRequest: { Item: order } }));
  for (let attempt = 1; requests.length > 0; attempt++) {
    if (attempt > 10)
      throw new Error(`DynamoDB left ${requests.length} orders unprocessed after ${attempt - 1} attempts`);
    if (attempt > 1) await sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
    const { UnprocessedItems } = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}

/**
 * At most `limit` tasks at once; `submit` waits for a free slot. The first failure is rethrown by the next
 * `submit` or by `drain`, and no task starts after it.
 */
class Bounded {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  constructor(private readonly limit: number) {}

  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    const p: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
  }
}

/**
 * The replay's writes: orders to the table and events to the stream in batches, a bounded number in flight,
 * and the progress (invoices done, when the first and last writes happened).
 */
class ReplayWriter {
  private readonly writes: Bounded;
  private done = 0;
  firstWriteAt: number | undefined;
  lastWriteAt: number | undefined;
  private pendingOrders: Order[] = [];
  private pendingEvents: ClickEvent[] = [];
  /** Invoices (with or without an order) waiting for the pending writes. */
  private pendingInvoices = 0;

  constructor(
    private readonly clients: ReplayClients,
    private readonly ordersTable: string,
    private readonly clickstream: KinesisClickstream,
    concurrency: number,
    private readonly onProgress: ((done: number) => void) | undefined,
  ) {
    this.writes = new Bounded(concurrency);
  }

  /** Queues an invoice's writes, flushing a batch once it is full. */
  async add(plan: ReturnType<typeof planInvoice>) {
    this.pendingInvoices++;
    if (plan.order) this.pendingOrders.push(plan.order);
    this.pendingEvents.push(...plan.events);
    if (this.pendingOrders.length >= ORDERS_PER_BATCH) await this.flushOrders();
    if (this.pendingEvents.length >= EVENTS_PER_BATCH) await this.flushEvents();
  }

  async flush() {
    await this.flushOrders();
    await this.flushEvents();
  }

  async drain() {
    await this.flush();
    await this.writes.drain();
  }

  private finished(invoices: number) {
    this.done += invoices;
    this.lastWriteAt = wallClockMs();
    this.onProgress?.(this.done);
  }

  private async flushOrders() {
    const orders = this.pendingOrders;
    const invoices = this.pendingInvoices;
    this.pendingOrders = [];
    this.pendingInvoices = 0;
    if (orders.length === 0) {
      if (invoices) this.finished(invoices);
      return;
    }
    await this.writes.submit(async () => {
      this.firstWriteAt ??= wallClockMs();
      await putOrders(this.clients.documents, this.ordersTable, orders);
      this.finished(invoices);
    });
  }

  private async flushEvents() {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    for (let i = 0; i < events.length; i += EVENTS_PER_BATCH) {
      const chunk = events.slice(i, i + EVENTS_PER_BATCH);
      await this.writes.submit(async () => {
        this.firstWriteAt ??= wallClockMs();
        const { failed } = await this.clickstream.put(chunk);
        if (failed.length > 0)
          throw new Error(`Kinesis refused ${failed.length} of ${chunk.length} events after retries`);
        this.lastWriteAt = wallClockMs();
      });
    }
  }
}

/** Replays the invoices of `range` into the platform that `env` describes, and says what it wrote. */
export async function replayHistory(options: ReplayOptions): Promise<ReplayResult> {
  const { env, datasetDir, range } = options;
  if (options.rate !== undefined && !(options.rate > 0))
    throw new Error(`--rate must be a positive number of invoices per second, got ${options.rate}`);
  if ((await listDatasetFiles(datasetDir)).length === 0) {
    throw new Error(`No dataset in ${datasetDir}: the replay needs the Online Retail CSVs (set DATASET_DIR)`);
  }
  const ordersTable = required(env, 'ORDERS_TABLE');
  const streamName = required(env, 'CLICKSTREAM_STREAM');
  const now = options.now ?? (() => new Date());

  // A first pass counts the invoices, for the progress bar (reading the whole dataset takes under a second).
  let total = 0;
  for await (const _ of invoicesInRange(readInvoiceLineBatches(datasetDir), range)) total++;
  options.onStart?.(total);

  const own = options.clients ? undefined : clientsFor(env);
  const clients = options.clients ?? own!;
  const clickstream = new KinesisClickstream(clients.kinesis, streamName, {
    maxAttempts: 10,
    baseDelayMs: 50,
    ...options.kinesisRetry,
  });
  const writer = new ReplayWriter(clients, ordersTable, clickstream, options.concurrency ?? 4, options.onProgress);
  const tally = emptyTally();

  const started = performance.now();
  try {
    let index = 0;
    for await (const invoice of invoicesInRange(readInvoiceLineBatches(datasetDir), range)) {
      if (options.rate !== undefined) {
        // Invoice n goes out no earlier than n / rate seconds after the start: send what is due, then wait.
        const wait = started + (index * 1000) / options.rate - performance.now();
        if (wait > 0) {
          await writer.flush();
          await sleep(wait);
        }
      }
      index++;
      const plan = planInvoice(invoice, now().toISOString());
      addToTally(tally, plan);
      await writer.add(plan);
    }
    await writer.drain();
  } finally {
    own?.destroy();
  }
  return {
    ...tally,
    firstWriteAt: writer.firstWriteAt,
    lastWriteAt: writer.lastWriteAt,
    elapsedMs: performance.now() - started,
  };
}

export interface RunningPlatform {
  apiUrl: string;
  env: Record<string, string>;
}

/**
 * The platform `npm start` runs on this data directory (it writes runtime.json there once it serves), if it
 * answers; otherwise an error that says how to start one.
 */
export async function findRunningPlatform(dataDir: string): Promise<RunningPlatform> {
  const file = runtimeFile(dataDir);
  const running = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunningPlatform) : undefined;
  const alive =
    running !== undefined &&
    (await fetch(`${running.apiUrl}/v1/health`).then(
      () => true,
      () => false,
    ));
  if (!running || !alive) {
    throw new Error(
      `No local platform is running on ${dataDir} (LOCAL_DATA_DIR): start one with \`npm start\` in another terminal, then replay.`,
    );
  }
  return running;
}
