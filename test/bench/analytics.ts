/**
 * Section: the analytics pipeline. In one run, on the local platform in a child process:
 * 1. a month of history replayed (lib/local/history/replay.ts) into the orders table and the clickstream, timed
 *    from the first write until the analytics API counts all of it: rows/s from the DynamoDB stream and Kinesis
 *    sources into the warehouse, through the pollers, the consumers and their idempotent loads;
 * 2. the same rows bulk-loaded into a fresh PGlite warehouse in this process with the same load functions
 *    (functions/analytics/domain/load.ts) in large statements: what the warehouse itself sustains;
 *    the ratio of 1 to 2 (target ≥ 0.5);
 * 3. freshness: orders placed through the API one after another, from each order's CONFIRMED time (its
 *    history) to the moment the dashboard summary counts it (target p99 ≤ 5 s locally).
 * Figures are reported, never asserted.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { userBehaviorFromKinesisRecord } from '../../functions/analytics/adapters/clickstream-records';
import { orderLoadFromStreamRecord } from '../../functions/analytics/adapters/orders-stream-records';
import {
  loadSalesFacts,
  loadUserBehavior,
  type SalesFactRow,
  type UserBehaviorRow,
} from '../../functions/analytics/domain/load';
import { PgliteWarehouse } from '@ecicomm/local-platform/redshift-data/in-process';
import { LOAD_LIMITS } from '../../functions/analytics/ports';
import {
  addToTally,
  emptyTally,
  invoicesInRange,
  planInvoice,
  type DateRange,
  type ReplayTally,
} from '@ecicomm/local-platform/history/mapping';
import { replayHistory, type ReplayResult } from '@ecicomm/local-platform/history/replay';
import { runtimeFile } from '@ecicomm/local-platform/platform';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { writeDemoHistory } from '@ecicomm/local-platform/seed/demo-history';
import { readInvoiceLineBatches } from '../../catalog-data/invoice-lines';
import { streamConsumers } from '../../lib/analytics';
import { FIXTURE_RANGE, writeHistoryFixture } from '../support/history-fixture';
import { apiClient, BENCH_ADDRESS as ADDRESS, BENCH_ADMIN as ADMIN } from './api-client';
import { cpuSeconds, startPlatformChild } from './platform-process';
import type { BenchContext, Section, SectionResult, Table, Target } from './report';
import { max, median, percentile, round } from './stats';

export const PIPELINE_RATIO_TARGET = 0.5;
export const FRESHNESS_P99_TARGET_S = 5;
const FRESHNESS_ORDERS = 40;
/** How often the summary is asked while waiting for one order: the granularity of the freshness times. */
const POLL_MS = 50;
/**
 * The longest wait between two questions while a month catches up. Every answer after a batch lands is a cache
 * miss that runs the summary's queries (about 80 ms for a month) on the warehouse the consumers are loading, so
 * a fixed 250 ms pace could spend up to about 2 s of the warehouse's CPU on the measurement. The catch-up is
 * paced by progress instead: the next question comes after half the time the remaining rows should take at the
 * rate seen so far, at least POLL_MS and at most this. Near the end that is POLL_MS, so the time stays as precise.
 */
const CATCH_UP_MAX_POLL_MS = 500;
const CATCH_UP_TIMEOUT_MS = 10 * 60_000;
const FRESHNESS_TIMEOUT_MS = 30_000;
/**
 * Rows per statement tried for the bulk load, each on a fresh warehouse; the fastest is the baseline. The
 * consumers put as many rows in a statement as the Data API's 100 KB of SQL hold (LOAD_LIMITS.redshift: about 370 of
 * sales_facts, 420 of user_behavior); an insert-if-absent statement is a UNION ALL of casted rows,
 * whose planning grows with its size, so the largest is not always the fastest (1,000 rows of sales_facts is
 * 13,000 parameters).
 */
const BULK_ROWS_PER_STATEMENT = [100, 250, 1000];
/** The bulk row count nearest the consumers' own statements (a few hundred rows fit in the Data API's 100 KB). */
const CONSUMER_LIKE_ROWS = 250;
const BULK_STATEMENTS_PER_TRANSACTION = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wallClockMs = () => performance.timeOrigin + performance.now();
const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** The month to replay: February 2011 of the dataset where present, else a month of the demo catalog's synthetic history. */
function monthToReplay(ctx: BenchContext): { datasetDir: string; range: DateRange; source: string } {
  const datasetDir = path.resolve(ctx.projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
  if (existsSync(path.join(datasetDir, 'online_retail_2011-02.csv.gz'))) {
    return {
      datasetDir,
      range: { from: '2011-02-01', to: '2011-02-28' },
      source: `February 2011 of the Online Retail dataset (${datasetDir})`,
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ecicomm-bench-history-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  writeDemoHistory(dir, DEMO_CATALOG);
  return {
    datasetDir: dir,
    range: { from: '2025-06-01', to: '2025-06-30' },
    source: 'June 2025 of the demo catalog’s synthetic history (the dataset is absent)',
  };
}

/**
 * What the month becomes, computed here without the platform: the replay's tally, and the warehouse rows the
 * consumers will derive from its records — through the consumers' own record mappings, so the bulk load
 * inserts exactly the rows the pipeline does.
 */
async function planMonth(
  datasetDir: string,
  range: DateRange,
): Promise<{ tally: ReplayTally; facts: SalesFactRow[]; behaviour: UserBehaviorRow[] }> {
  const tally = emptyTally();
  const facts: SalesFactRow[] = [];
  const behaviour: UserBehaviorRow[] = [];
  const receivedAt = new Date().toISOString();
  for await (const invoice of invoicesInRange(readInvoiceLineBatches(datasetDir), range)) {
    const plan = planInvoice(invoice, receivedAt);
    addToTally(tally, plan);
    if (!plan.order) continue;
    const record: DynamoDBRecord = {
      eventID: plan.invoiceNo,
      eventName: 'INSERT',
      dynamodb: { NewImage: marshall(plan.order, { removeUndefinedValues: true }) as never },
    };
    facts.push(...orderLoadFromStreamRecord(record).rows);
    for (const event of plan.events) {
      const kinesis = {
        eventID: event.eventId,
        kinesis: {
          data: Buffer.from(JSON.stringify(event)).toString('base64'),
          partitionKey: event.sessionId,
          sequenceNumber: '0',
        },
      };
      behaviour.push(userBehaviorFromKinesisRecord(kinesis as KinesisStreamRecord));
    }
  }
  return { tally, facts, behaviour };
}

/**
 * What the catch-up watches. Purchases are orders now (clickstream purchase events count towards nothing), so
 * the clickstream's progress shows in `sessions`: the replay puts each sale invoice's events in a session of
 * its own, so the month has as many sessions as orders once the clickstream has reached every invoice.
 */
interface SummaryFigures {
  orders: number;
  revenue: number;
  sessions: number;
}

/** The platform child, its handlers' environment, and what the freshness phase needs made beforehand. */
async function startAnalyticsPlatform(ctx: BenchContext) {
  ctx.log('analytics: starting the local platform in a child process');
  const { info, child } = await startPlatformChild(ctx, { label: 'analytics' });
  // The platform writes its handlers' environment next to its data, as `npm start` does for the replay CLI.
  const env = (JSON.parse(readFileSync(runtimeFile(info.dataDir), 'utf8')) as { env: Record<string, string> }).env;
  const api = apiClient(info.apiUrl, { resendSafeRequests: true });
  const login = await api('/v1/auth/login', { method: 'POST', body: ADMIN });
  if (login.status !== 200) throw new Error(`admin login answered ${login.status}: ${login.text}`);
  const adminToken = login.body.idToken as string;
  // The freshness phase's shopper and products, made now: the phases in between leave the API idle.
  const email = `bench-analytics-${randomUUID()}@example.com`;
  const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
  const reg = await api('/v1/users', {
    method: 'POST',
    body: { email, password, firstName: 'Bench', lastName: 'Analyst' },
  });
  if (reg.status !== 201) throw new Error(`POST /v1/users answered ${reg.status}: ${reg.text}`);
  const shopperLogin = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
  if (shopperLogin.status !== 200)
    throw new Error(`shopper login answered ${shopperLogin.status}: ${shopperLogin.text}`);
  const shopper = shopperLogin.body.idToken as string;
  const listed = await api('/v1/products?limit=50');
  if (listed.status !== 200 || !listed.body.items?.length)
    throw new Error(`GET /v1/products answered ${listed.status}: ${listed.text.slice(0, 200)}`);
  const productIds = (listed.body.items as { id: string }[]).map((p) => p.id);
  return { info, child, env, api, adminToken, shopper, productIds };
}
type AnalyticsPlatform = Awaited<ReturnType<typeof startAnalyticsPlatform>>;

async function summary(p: AnalyticsPlatform, range: DateRange): Promise<SummaryFigures> {
  const res = await p.api(`/v1/analytics/dashboard/summary?startDate=${range.from}&endDate=${range.to}`, {
    token: p.adminToken,
  });
  if (res.status !== 200) throw new Error(`GET /v1/analytics/dashboard/summary answered ${res.status}: ${res.text}`);
  return { orders: res.body.orders, revenue: res.body.revenue, sessions: res.body.sessions };
}

/**
 * Polls until the summary shows `want`; resolves with the wall-clock time of the answer that did, how many
 * answers it took, and the wait before the last one (the time's granularity).
 */
async function countedAt(
  p: AnalyticsPlatform,
  range: DateRange,
  want: (s: SummaryFigures) => boolean,
  timeoutMs: number,
  pollMs: number | ((last: SummaryFigures) => number) = POLL_MS,
): Promise<{ at?: number; last: SummaryFigures; polls: number; lastWaitMs: number }> {
  const deadline = performance.now() + timeoutMs;
  let polls = 0;
  let lastWaitMs = 0;
  for (;;) {
    const last = await summary(p, range);
    polls++;
    if (want(last)) return { at: wallClockMs(), last, polls, lastWaitMs };
    if (performance.now() > deadline) return { last, polls, lastWaitMs };
    lastWaitMs = typeof pollMs === 'number' ? pollMs : pollMs(last);
    await sleep(lastWaitMs);
  }
}

const matches = (t: Pick<ReplayTally, 'orders' | 'revenuePence'>) => (s: SummaryFigures) =>
  s.orders === t.orders && s.revenue === t.revenuePence && s.sessions === t.orders;

/**
 * Warm-up: the made-up month of the tests through the whole pipeline opens the warehouse, loads every
 * consumer's module and JITs the paths; then the child must be idle (the seeded catalog's streams loaded).
 * Returns the seconds the child took to go idle.
 */
async function warmUpPipeline(ctx: BenchContext, p: AnalyticsPlatform): Promise<number> {
  const fixtureDir = writeHistoryFixture(mkdtempSync(path.join(tmpdir(), 'ecicomm-bench-fixture-')));
  ctx.defer(() => rmSync(fixtureDir, { recursive: true, force: true }));
  const warm = await replayHistory({ env: p.env, datasetDir: fixtureDir, range: FIXTURE_RANGE });
  const warmed = await countedAt(p, { from: FIXTURE_RANGE.from, to: FIXTURE_RANGE.to }, matches(warm), 120_000);
  if (warmed.at === undefined)
    throw new Error(`the warm-up replay was not counted within 120 s: ${JSON.stringify(warmed.last)}`);
  const settleS = await untilIdle(p.child.pid!, 60_000);
  ctx.log(`analytics: warm-up replay counted; platform child idle after ${round(settleS)} s`);
  return settleS;
}

type Month = ReturnType<typeof monthToReplay>;
type PlannedMonth = Awaited<ReturnType<typeof planMonth>>;

/** 1. The month through the pipeline: from the replay's first write until the summary counts all of it. */
async function replayThroughPipeline(ctx: BenchContext, p: AnalyticsPlatform, month: Month, planned: PlannedMonth) {
  const { info, child, env } = p;
  const rows = planned.facts.length + planned.behaviour.length;
  const pids = { child: child.pid!, dynamodbLocal: info.pids[0] };
  const cpu0 = {
    child: cpuSeconds(pids.child) ?? 0,
    java: cpuSeconds(pids.dynamodbLocal) ?? 0,
    self: process.cpuUsage(),
  };
  ctx.log(`analytics: replaying ${month.range.from} … ${month.range.to}`);
  const replay: ReplayResult = await replayHistory({ env, datasetDir: month.datasetDir, range: month.range });
  const cpuWritten = { child: cpuSeconds(pids.child) ?? 0, java: cpuSeconds(pids.dynamodbLocal) ?? 0 };
  ctx.log(`analytics: written in ${round(replay.elapsedMs / 1000)} s; waiting for the warehouse to count it`);
  const catchUpTrace: CatchUpAnswer[] = [];
  const caught = await countedAt(
    p,
    month.range,
    matches(replay),
    CATCH_UP_TIMEOUT_MS,
    pacedByProgress(replay, replay.firstWriteAt!, catchUpTrace),
  );
  if (caught.at === undefined) {
    throw new Error(
      `the pipeline did not catch up within ${CATCH_UP_TIMEOUT_MS / 1000} s: summary ${JSON.stringify(caught.last)}, replayed ${JSON.stringify({ orders: replay.orders, revenue: replay.revenuePence, sessions: replay.orders })}`,
    );
  }
  const cpu1 = {
    child: cpuSeconds(pids.child) ?? 0,
    java: cpuSeconds(pids.dynamodbLocal) ?? 0,
    self: process.cpuUsage(cpu0.self),
  };
  const pipelineS = (caught.at - replay.firstWriteAt!) / 1000;
  const writeS = (replay.lastWriteAt! - replay.firstWriteAt!) / 1000;
  const lagS = (caught.at - replay.lastWriteAt!) / 1000;
  const sourceRecords = replay.orders + replay.refunds + replay.events;
  const pipelineRowsPerS = rows / pipelineS;
  if (replay.lines !== planned.facts.length || replay.events !== planned.behaviour.length) {
    throw new Error(
      `the replay wrote ${replay.lines} lines and ${replay.events} events; the plan has ${planned.facts.length} and ${planned.behaviour.length}`,
    );
  }
  return {
    rows,
    replay,
    cpu0,
    cpuWritten,
    cpu1,
    caught,
    catchUpTrace,
    pipelineS,
    writeS,
    lagS,
    sourceRecords,
    pipelineRowsPerS,
  };
}
type Pipeline = Awaited<ReturnType<typeof replayThroughPipeline>>;

/** 2. The same rows, bulk-loaded into a fresh warehouse here, in large statements; the ratio to the pipeline. */
async function bulkBaseline(ctx: BenchContext, planned: PlannedMonth, pipeline: Pipeline) {
  const { rows, cpu0, cpu1, pipelineRowsPerS } = pipeline;
  const bulk: BulkFigures[] = [];
  for (const rowsPerStatement of BULK_ROWS_PER_STATEMENT) {
    ctx.log(`analytics: bulk-loading the same ${rows} rows into a fresh PGlite, ${rowsPerStatement} rows a statement`);
    bulk.push(await bulkLoad(planned.facts, planned.behaviour, rowsPerStatement));
  }
  const best = bulk.reduce((a, b) => (b.rowsPerS > a.rowsPerS ? b : a));
  const bulkRowsPerS = best.rowsPerS;
  const ratio = pipelineRowsPerS / bulkRowsPerS;
  const pipelineCpuS = cpu1.child - cpu0.child + cpu1.java - cpu0.java;
  const pipelineCpuMsPerKRow = (pipelineCpuS / rows) * 1e6;
  const bulkCpuMsPerKRow = (best.cpuS / rows) * 1e6;
  ctx.log(
    `analytics: pipeline ${round(pipelineRowsPerS)} rows/s, bulk ${round(bulkRowsPerS)} rows/s (${best.rowsPerStatement} a statement), ratio ${round(ratio, 2)}`,
  );
  return { bulk, best, bulkRowsPerS, ratio, pipelineCpuMsPerKRow, bulkCpuMsPerKRow };
}
type Bulk = Awaited<ReturnType<typeof bulkBaseline>>;

/** 3. Freshness: one order at a time, from its confirmation to the summary counting it. */
async function measureFreshness(ctx: BenchContext, p: AnalyticsPlatform) {
  const { api, shopper, productIds } = p;
  // Today (UTC) with a day either side: an order placed at midnight still falls inside.
  const today: DateRange = { from: utcDay(-1), to: utcDay(1) };
  let counted = (await summary(p, today)).orders;
  const freshnessMs: number[] = [];
  const missed: string[] = [];
  ctx.log(`analytics: freshness over ${FRESHNESS_ORDERS} orders`);
  for (let i = 0; i < FRESHNESS_ORDERS; i++) {
    const placed = await api('/v1/orders', {
      method: 'POST',
      token: shopper,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        shippingAddress: ADDRESS,
        paymentToken: 'tok_visa',
        items: [{ productId: productIds[i % productIds.length], quantity: 1 }],
      },
    });
    if (placed.status !== 202) throw new Error(`POST /v1/orders answered ${placed.status}: ${placed.text}`);
    const orderId = placed.body.orderId as string;
    const seen = await countedAt(p, today, (s) => s.orders > counted, FRESHNESS_TIMEOUT_MS);
    const order = await api(`/v1/orders/${orderId}`, { token: shopper });
    const confirmed = (order.body?.history as { status: string; at: string }[] | undefined)?.find(
      (h) => h.status === 'CONFIRMED',
    );
    if (seen.at === undefined || !confirmed) {
      missed.push(
        `${orderId}: ${order.body?.status ?? order.status}${seen.at === undefined ? `, not counted within ${FRESHNESS_TIMEOUT_MS / 1000} s` : ''}`,
      );
      counted = (await summary(p, today)).orders;
      continue;
    }
    counted = seen.last.orders;
    freshnessMs.push(seen.at - Date.parse(confirmed.at));
  }
  const p99S = percentile(freshnessMs, 99) / 1000;
  return { freshnessMs, missed, p99S };
}
type Freshness = Awaited<ReturnType<typeof measureFreshness>>;

/** What the report is made of, under the names it uses. */
function reportValues(
  month: Month,
  planned: PlannedMonth,
  settleS: number,
  pipeline: Pipeline,
  bulk: Bulk,
  freshness: Freshness,
) {
  return { month, planned, settleS, ...pipeline, ...bulk, ...freshness };
}
type ReportValues = ReturnType<typeof reportValues>;

function targetsOf(v: ReportValues): Target[] {
  const { pipelineRowsPerS, bulkRowsPerS, ratio, pipelineCpuMsPerKRow, bulkCpuMsPerKRow, freshnessMs, p99S } = v;
  return [
    {
      name: 'Pipeline rows/s ÷ bulk-load rows/s (same rows, same warehouse engine, same run)',
      target: `≥ ${PIPELINE_RATIO_TARGET}`,
      actual: `${round(ratio, 2)} (${round(pipelineRowsPerS)} ÷ ${round(bulkRowsPerS)} rows/s; by CPU per row ${round(bulkCpuMsPerKRow / pipelineCpuMsPerKRow, 2)})`,
      pass: ratio >= PIPELINE_RATIO_TARGET,
    },
    {
      name: 'Freshness p99: order CONFIRMED → counted by the dashboard summary',
      target: `≤ ${FRESHNESS_P99_TARGET_S} s`,
      actual: freshnessMs.length ? `${round(p99S, 2)} s over ${freshnessMs.length} orders` : 'no order counted',
      pass: freshnessMs.length === FRESHNESS_ORDERS && p99S <= FRESHNESS_P99_TARGET_S,
    },
  ];
}

function findingsOf(v: ReportValues): string[] {
  const {
    rows,
    cpu0,
    cpuWritten,
    cpu1,
    pipelineS,
    writeS,
    lagS,
    bulk,
    best,
    pipelineCpuMsPerKRow,
    bulkCpuMsPerKRow,
    freshnessMs,
    missed,
  } = v;
  const findings: string[] = [];
  const writeBound = lagS < 0.25 * pipelineS;
  findings.push(
    writeBound
      ? `The pipeline kept up with the writes: it counted the last record ${round(lagS, 1)} s after the replay's last write, out of ${round(pipelineS, 1)} s in all. The rate measured is mostly the replay's write rate into DynamoDB Local and kinesalite (${round(rows / writeS)} rows/s while writing), a lower bound on what the consumers sustain.`
      : `The consumers fell behind the writes: ${round(lagS, 1)} s of the ${round(pipelineS, 1)} s came after the replay's last write (writing alone took ${round(writeS, 1)} s), so the rate measured is the pipeline's own.`,
  );
  findings.push(
    `CPU over the replay and catch-up: platform child (kinesalite taking the writes, pollers, consumers, PGlite, API) ${round(cpu1.child - cpu0.child, 1)} s — ${round(cpuWritten.child - cpu0.child, 1)} s of it while the replay wrote —, DynamoDB Local ${round(cpu1.java - cpu0.java, 1)} s, this process (reading the dataset, writing) ${round((cpu1.self.user + cpu1.self.system) / 1e6, 1)} s, in ${round(pipelineS, 1)} s of wall clock on ${os.cpus().length} CPUs. ` +
      `Per 1,000 rows the pipeline costs ${round(pipelineCpuMsPerKRow)} ms of CPU (child + DynamoDB Local) against ${round(bulkCpuMsPerKRow)} ms for the bulk insert, of which the consumers' own inserts (as many rows a statement as ${LOAD_LIMITS.redshift.maxSqlBytes} bytes of SQL hold, a few hundred, through the Data API) are about ${round(((bulk.find((b) => b.rowsPerStatement === CONSUMER_LIKE_ROWS)?.cpuS ?? best.cpuS) / rows) * 1e6)} ms (the bulk insert at ${CONSUMER_LIKE_ROWS} rows): the rest is carrying the records (emulated Kinesis and DynamoDB Streams, polling, the Lambda event shapes, per-record parsing).`,
  );
  const window = streamConsumers.find((c) => c.id === 'loadOrdersStream')?.maximumBatchingWindowSeconds;
  if (freshnessMs.length && window !== undefined) {
    findings.push(
      window > 0
        ? `Freshness p50 ${round(median(freshnessMs) / 1000, 2)} s: the orders-stream consumer's batching window (${window} s, lib/analytics.ts) is most of it — a lone order waits it out before its batch is delivered.`
        : `Freshness p50 ${round(median(freshnessMs) / 1000, 2)} s with no batching window (lib/analytics.ts): the stream poller's idle interval, the load, and the summary's next poll (every ${POLL_MS} ms).`,
    );
  }
  if (missed.length) findings.push(`Orders not measured for freshness: ${missed.join('; ')}.`);
  return findings;
}

function methodOf(v: ReportValues): string[] {
  const { month, caught } = v;
  return [
    `Platform: test/bench/platform-child.ts (demo catalog, in-memory DynamoDB Local, kinesalite and PGlite), its stream consumers polling as \`npm start\` runs them; warmed up by replaying the tests' made-up month and waiting until it is counted and the child is idle.`,
    `Pipeline: \`replayHistory\` (the code behind \`npm run replay:history\`) writes ${month.source} — orders by BatchWriteItem, purchase events by PutRecords, unthrottled; time from its first write request until GET /v1/analytics/dashboard/summary for the month shows the replay's orders, net revenue and a clickstream session for every order (purchase events no longer count as purchases; each replayed invoice's events are a session of their own). It is asked once the replay has written everything, then paced by progress: after half the time the rest should take at the rate seen so far, between ${POLL_MS} and ${CATCH_UP_MAX_POLL_MS} ms (this run: ${caught.polls} answers, the last ${Math.round(caught.lastWaitMs)} ms after the one before). Rows = sales_facts + user_behavior rows the consumers insert.`,
    `Bulk load: the same rows (derived with the consumers' own record mappings) inserted into a fresh in-memory PGlite in this process by loadSalesFacts / loadUserBehavior, all rows in one call, ${BULK_STATEMENTS_PER_TRANSACTION} statements a transaction, once for each of ${BULK_ROWS_PER_STATEMENT.join(', ')} rows a statement; the fastest is the baseline (the consumers load a batch of ≤ ${streamConsumers.find((c) => c.id === 'loadOrdersStream')?.batchSize} stream records or ≤ ${streamConsumers.find((c) => c.id === 'loadClickstream')?.batchSize} Kinesis records at a time, as many rows a statement as ${LOAD_LIMITS.redshift.maxSqlBytes} bytes of SQL hold through the local Redshift Data API).`,
    `CPU per row: the pipeline's is the platform child's (pollers, consumers, PGlite, kinesalite, API) plus DynamoDB Local's over the replay and catch-up; the bulk load's is this process's. On a busy shared machine the CPU ratio is the steadier comparison; the wall-clock ratio is the target's.`,
    `Freshness: ${FRESHNESS_ORDERS} orders of one unit placed one after another through POST /v1/orders (tok_visa); each from the CONFIRMED entry of its history (the saga's clock) to the first summary answer counting it, polled every ${POLL_MS} ms (so a figure includes up to ${POLL_MS} ms of polling granularity and one summary request).`,
  ];
}

function tablesOf(v: ReportValues): Table[] {
  return [pipelineTable(v), bulkTable(v), freshnessTable(v)];
}

/** The month through the pipeline. */
function pipelineTable(v: ReportValues): Table {
  const { month, rows, replay, pipelineS, writeS, lagS, sourceRecords, pipelineRowsPerS, pipelineCpuMsPerKRow } = v;
  return {
    title: `Replay of ${month.range.from} … ${month.range.to} through the pipeline`,
    columns: [
      'invoices',
      'orders',
      'refunds',
      'stream records',
      'Kinesis records',
      'warehouse rows',
      'writing s',
      'first write → counted s',
      'after last write s',
      'rows/s',
      'source records/s',
      'CPU ms per 1,000 rows',
    ],
    rows: [
      [
        replay.invoices,
        replay.orders,
        replay.refunds,
        replay.orders + replay.refunds,
        replay.events,
        rows,
        round(writeS, 1),
        round(pipelineS, 1),
        round(lagS, 1),
        round(pipelineRowsPerS),
        round(sourceRecords / pipelineS),
        round(pipelineCpuMsPerKRow),
      ],
    ],
  };
}

/** The same rows bulk-loaded, one row per statement size. */
function bulkTable(v: ReportValues): Table {
  const { rows, bulk } = v;
  return {
    title: 'The same rows bulk-loaded into a fresh PGlite in this process (the fastest row count is the baseline)',
    columns: [
      'rows a statement',
      'rows',
      'sales_facts s',
      'user_behavior s',
      'total s',
      'rows/s',
      'CPU s',
      'CPU ms per 1,000 rows',
    ],
    rows: bulk.map((b) => [
      b.rowsPerStatement,
      rows,
      round(b.factsS, 2),
      round(b.behaviourS, 2),
      round(b.factsS + b.behaviourS, 2),
      round(b.rowsPerS),
      round(b.cpuS, 2),
      round((b.cpuS / rows) * 1e6),
    ]),
  };
}

function freshnessTable(v: ReportValues): Table {
  const { freshnessMs, p99S } = v;
  return {
    title: 'Freshness: order CONFIRMED → counted by the summary',
    columns: ['orders measured', 'p50 s', 'p90 s', 'p99 s', 'max s'],
    rows: [
      [
        freshnessMs.length,
        round(median(freshnessMs) / 1000, 2),
        round(percentile(freshnessMs, 90) / 1000, 2),
        round(p99S, 2),
        round(max(freshnessMs) / 1000, 2),
      ],
    ],
  };
}

/** Raw figures for report.json. */
function dataOf(v: ReportValues): unknown {
  return {
    month: { ...v.month.range, source: v.month.source },
    replay: { ...v.replay },
    pipeline: {
      rows: v.rows,
      sourceRecords: v.sourceRecords,
      writeS: v.writeS,
      pipelineS: v.pipelineS,
      lagS: v.lagS,
      rowsPerS: v.pipelineRowsPerS,
      cpu: {
        child: v.cpu1.child - v.cpu0.child,
        childWhileWriting: v.cpuWritten.child - v.cpu0.child,
        dynamodbLocal: v.cpu1.java - v.cpu0.java,
        bench: (v.cpu1.self.user + v.cpu1.self.system) / 1e6,
      },
      cpuMsPer1000Rows: v.pipelineCpuMsPerKRow,
      catchUpPolls: v.caught.polls,
      lastPollWaitMs: v.caught.lastWaitMs,
      catchUpTrace: v.catchUpTrace,
    },
    bulk: v.bulk,
    ratio: v.ratio,
    freshnessMs: v.freshnessMs,
    missed: v.missed,
    warmUp: { settleS: v.settleS },
  };
}

export const analyticsSection: Section = {
  id: 'analytics',
  title:
    'Analytics: a replayed month from the streams into the warehouse vs a raw bulk load, and order-to-dashboard freshness',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const month = monthToReplay(ctx);
    ctx.log(`analytics: planning ${month.source}`);
    const planned = await planMonth(month.datasetDir, month.range);
    ctx.log(
      `analytics: ${planned.tally.invoices} invoices → ${planned.facts.length} sales facts and ${planned.behaviour.length} clickstream rows`,
    );
    const platform = await startAnalyticsPlatform(ctx);
    const settleS = await warmUpPipeline(ctx, platform);
    const pipeline = await replayThroughPipeline(ctx, platform, month, planned);
    const bulk = await bulkBaseline(ctx, planned, pipeline);
    const freshness = await measureFreshness(ctx, platform);
    const v = reportValues(month, planned, settleS, pipeline, bulk, freshness);
    return {
      method: methodOf(v),
      tables: tablesOf(v),
      targets: targetsOf(v),
      findings: findingsOf(v),
      data: dataOf(v),
    };
  },
};

/** One answer of the catch-up: seconds since the first write, what it counted, and the wait it set. */
interface CatchUpAnswer {
  atS: number;
  orders: number;
  sessions: number;
  done: number;
  waitMs: number;
}

/**
 * The wait before the next question while the month catches up (see CATCH_UP_MAX_POLL_MS): progress is the
 * orders and clickstream sessions counted so far as a fraction of the replay's (the sessions stream steadily, the
 * orders arrive in a few large batches); the rate is measured from the previous answer (the
 * first from the replay's first write, when nothing was counted). Each answer goes into `trace`.
 */
function pacedByProgress(
  want: Pick<ReplayTally, 'orders'>,
  firstWriteAt: number,
  trace: CatchUpAnswer[],
): (last: SummaryFigures) => number {
  const total = 2 * want.orders;
  let previous = { at: firstWriteAt, done: 0 };
  return (last) => {
    const now = wallClockMs();
    const done = total === 0 ? 1 : Math.min(1, (last.orders + last.sessions) / total);
    const rate = (done - previous.done) / (now - previous.at);
    previous = { at: now, done };
    const waitMs =
      rate > 0 ? Math.min(CATCH_UP_MAX_POLL_MS, Math.max(POLL_MS, (1 - done) / rate / 2)) : CATCH_UP_MAX_POLL_MS;
    trace.push({ atS: (now - firstWriteAt) / 1000, orders: last.orders, sessions: last.sessions, done, waitMs });
    return waitMs;
  };
}

interface BulkFigures {
  rowsPerStatement: number;
  factsS: number;
  behaviourS: number;
  rowsPerS: number;
  cpuS: number;
}

/** The rows into a fresh in-memory warehouse with the load functions the consumers use; checks every row went in. */
async function bulkLoad(
  facts: SalesFactRow[],
  behaviour: UserBehaviorRow[],
  rowsPerStatement: number,
): Promise<BulkFigures> {
  const warehouse = await PgliteWarehouse.open();
  try {
    await warehouse.migrate();
    const options = { rowsPerStatement, statementsPerBatch: BULK_STATEMENTS_PER_TRANSACTION };
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const f = await loadSalesFacts(warehouse, facts, options);
    const t1 = performance.now();
    const b = await loadUserBehavior(warehouse, behaviour, options);
    const t2 = performance.now();
    const used = process.cpuUsage(cpu);
    if (f.inserted !== facts.length || b.inserted !== behaviour.length) {
      throw new Error(
        `the bulk load inserted ${f.inserted}/${facts.length} facts and ${b.inserted}/${behaviour.length} events`,
      );
    }
    return {
      rowsPerStatement,
      factsS: (t1 - t0) / 1000,
      behaviourS: (t2 - t1) / 1000,
      rowsPerS: (facts.length + behaviour.length) / ((t2 - t0) / 1000),
      cpuS: (used.user + used.system) / 1e6,
    };
  } finally {
    await warehouse.close();
  }
}

/** Waits until a process uses under 5 % of a CPU over a second (or the timeout); returns the seconds waited. */
async function untilIdle(pid: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let last = cpuSeconds(pid) ?? 0;
  while (performance.now() - t0 < timeoutMs) {
    await sleep(1000);
    const now = cpuSeconds(pid) ?? 0;
    if (now - last < 0.05) break;
    last = now;
  }
  return (performance.now() - t0) / 1000;
}
