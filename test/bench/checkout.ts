/**
 * Section 3: checkout throughput and saga latency on the local platform, what a confirmed order costs in
 * DynamoDB requests, and how its throughput compares with what DynamoDB Local sustains for the same mix
 * of operations at the same concurrency, measured in the same run.
 *
 * The platform runs in a child process (test/bench/platform-child.ts) spawned with an IPC channel: the
 * child counts every DynamoDB request the handlers send (a middleware on the shared `dynamoClient()`)
 * and reports each order's CONFIRMED/CANCELLED write the moment it succeeds, so completion is observed
 * without status polling adding API and DynamoDB load to what is measured.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  apiClient,
  type ApiAnswer,
  type ApiClient,
  BENCH_ADDRESS as ADDRESS,
  BENCH_ADMIN as ADMIN,
} from './api-client';
import { startLinkedPlatform, wallClockMs, type LinkedPlatform } from './checkout-platform';
import {
  mixFrom,
  openRawSide,
  rawSlice,
  rawWorkload,
  SCRATCH_KEYS,
  warmRawSide,
  type RawFigures,
} from './checkout-raw';
import {
  costFigures,
  costFindings as awsCostFindings,
  costMethod,
  costTables,
  emptyCounts,
  mergeBilling,
} from './checkout-cost';
import type { DynamoCounts } from './child-ipc';
import { byFunctionTable } from './checkout-functions';
import { cpuMeter, type CpuMeter, type CpuUse } from './platform-process';
import type { BenchContext, BenchOptions, Section, SectionResult, Table, Target } from './report';
import { percentile, round } from './stats';
import { seededRandom } from '../../ml/src/random';

export const RATIO_TARGET = 0.8;
export const OPS_PER_ORDER_TARGET = 10;
/** POST /v1/orders → 202, p50, one order at a time (issue 17). */
export const ONE_WAY_ACCEPT_TARGET_MS = 20;
/** The contract: locally every order reaches CONFIRMED or CANCELLED within 10 s. Twice that, then it counts as a timeout. */
const ORDER_TIMEOUT_MS = 20_000;
const INITIAL_STOCK = 1_000_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Line {
  productId: string;
  quantity: number;
}

interface OrderRecord {
  orderId: string;
  worker: number;
  phase: string;
  lines: Line[];
  /** Wall-clock ms just before the POST was sent. */
  sentAt: number;
  /** POST → 202 received, ms. */
  acceptMs: number;
  /** The child's report, when it came within ORDER_TIMEOUT_MS. */
  outcome?: 'CONFIRMED' | 'CANCELLED';
  /** POST sent → the order's status write succeeded in DynamoDB (the child's clock), ms. */
  latencyMs?: number;
  /** POST sent → that report received here, ms (the former plus IPC delivery). */
  observedMs?: number;
  timedOut?: boolean;
}

interface CheckoutSlice {
  phase: string;
  elapsedS: number;
  posted: number;
  confirmed: number;
  cancelled: number;
  timedOut: number;
  postErrors: number;
  ordersPerS: number;
  counts: DynamoCounts;
  /** Orders whose saga ran in this slice (all of them settled or timed out before the counts were read). */
  orders: OrderRecord[];
  cpu: CpuUse;
}

const sumValues = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const addInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
};
const mergeCounts = (parts: DynamoCounts[]): DynamoCounts =>
  parts.reduce<DynamoCounts>(
    (acc, c) => ({
      commands: addInto(acc.commands, c.commands),
      attempts: addInto(acc.attempts, c.attempts),
      errors: addInto(acc.errors, c.errors),
      byTable: addInto(acc.byTable, c.byTable),
      byFunction: addInto(acc.byFunction, c.byFunction ?? {}),
      msByTable: addInto(acc.msByTable, c.msByTable),
      transactItems: acc.transactItems + c.transactItems,
      windowMs: acc.windowMs + c.windowMs,
      billing: mergeBilling([acc.billing, c.billing]),
    }),
    emptyCounts(),
  );

/** How long each part runs and how much it makes, from the options. */
function planRun(options: BenchOptions) {
  const rounds = Math.max(1, options.rounds);
  return {
    concurrency: options.connections,
    rounds,
    // Checkout gets 3× the API section's per-side time (an order is ~10 requests and a saga), raw 1×.
    checkoutSliceS: (3 * options.duration) / rounds,
    rawSliceS: options.duration / rounds,
    // DynamoDB Local's JIT takes tens of seconds of load to settle (its CPU per op falls 2-4x): warm both sides longer than the API section does.
    warmupS: Math.max(4, 2 * options.warmup),
    // One worker, one order at a time: latency alone, after the warm-up.
    oneWayS: Math.max(3, options.duration / 2),
    productCount: Math.max(20, 4 * options.connections),
  };
}
type RunPlan = ReturnType<typeof planRun>;

interface Shopper {
  userId: string;
  token: string;
}

/** Products with ample stock, and one shopper per worker, made through the API. */
async function createProductsAndShoppers(ctx: BenchContext, api: ApiClient, plan: RunPlan) {
  const adminLogin = await api('/v1/auth/login', { method: 'POST', body: ADMIN });
  if (adminLogin.status !== 200) throw new Error(`admin login answered ${adminLogin.status}: ${adminLogin.text}`);
  const adminToken = adminLogin.body.idToken as string;
  const { productCount, concurrency } = plan;
  const products: { id: string; price: number }[] = [];
  for (let i = 0; i < productCount; i += 10) {
    const made = await Promise.all(
      Array.from({ length: Math.min(10, productCount - i) }, async (_, j) => {
        const price = 500 + 100 * ((i + j) % 20);
        const res = await api('/v1/products', {
          method: 'POST',
          token: adminToken,
          body: {
            name: `Bench checkout ${i + j}`,
            description: '',
            category: 'other',
            brand: 'Bench',
            price,
            currency: 'GBP',
            initialStock: INITIAL_STOCK,
          },
        });
        if (res.status !== 201) throw new Error(`POST /v1/products answered ${res.status}: ${res.text}`);
        return { id: res.body.id as string, price };
      }),
    );
    products.push(...made);
  }
  const shoppers = await Promise.all(
    Array.from({ length: concurrency }, async (_, i): Promise<Shopper> => {
      const email = `bench-shopper-${i}-${randomUUID()}@example.com`;
      const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
      const reg = await api('/v1/users', {
        method: 'POST',
        body: { email, password, firstName: 'Bench', lastName: `Shopper${i}` },
      });
      if (reg.status !== 201) throw new Error(`POST /v1/users answered ${reg.status}: ${reg.text}`);
      const login = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
      if (login.status !== 200) throw new Error(`shopper login answered ${login.status}: ${login.text}`);
      return { userId: reg.body.userId as string, token: login.body.idToken as string };
    }),
  );
  ctx.log(
    `checkout: ${products.length} products (stock ${INITIAL_STOCK} each) and ${shoppers.length} shoppers created`,
  );
  return { adminToken, products, shoppers };
}
type Catalogue = Awaited<ReturnType<typeof createProductsAndShoppers>>;

/** The checkout side: what its slices share (every order placed, the first POST failures, the seeded order lines). */
interface CheckoutLoad {
  platform: LinkedPlatform;
  api: ApiClient;
  catalogue: Catalogue;
  cpu: CpuMeter;
  allOrders: OrderRecord[];
  postFailures: { status: number; body: string }[];
  randomLines(): Line[];
}

function checkoutLoad(platform: LinkedPlatform, api: ApiClient, catalogue: Catalogue, cpu: CpuMeter): CheckoutLoad {
  const { products } = catalogue;
  const orderRandom = seededRandom(20_261_125);
  const randomLines = (): Line[] => {
    const count = orderRandom() < 0.5 ? 1 : 2;
    const first = Math.floor(orderRandom() * products.length);
    const ids =
      count === 1
        ? [first]
        : [first, (first + 1 + Math.floor(orderRandom() * (products.length - 1))) % products.length];
    return ids.map((i) => ({ productId: products[i].id, quantity: orderRandom() < 0.7 ? 1 : 2 }));
  };
  return { platform, api, catalogue, cpu, allOrders: [], postFailures: [], randomLines };
}

/** One worker of a slice: places an order, waits for its saga to settle, and places the next, until the deadline. */
async function checkoutWorker(
  load: CheckoutLoad,
  w: number,
  phase: string,
  deadline: number,
  orders: OrderRecord[],
): Promise<number> {
  const shopper = load.catalogue.shoppers[w];
  let postErrors = 0;
  while (performance.now() < deadline) {
    const lines = load.randomLines();
    const sentAt = wallClockMs();
    const p0 = performance.now();
    let res: ApiAnswer;
    try {
      res = await load.api('/v1/orders', {
        method: 'POST',
        token: shopper.token,
        headers: { 'idempotency-key': randomUUID() },
        body: { shippingAddress: ADDRESS, paymentToken: 'tok_visa', items: lines },
      });
    } catch (e) {
      postErrors++;
      if (load.postFailures.length < 5) load.postFailures.push({ status: 0, body: (e as Error).message });
      await sleep(50);
      continue;
    }
    const acceptMs = performance.now() - p0;
    if (res.status !== 202 || !res.body?.orderId) {
      postErrors++;
      if (load.postFailures.length < 5) load.postFailures.push({ status: res.status, body: res.text.slice(0, 300) });
      await sleep(50);
      continue;
    }
    const record: OrderRecord = { orderId: res.body.orderId, worker: w, phase, lines, sentAt, acceptMs };
    orders.push(record);
    const settled = await load.platform.waitSettled(record.orderId, ORDER_TIMEOUT_MS);
    if (!settled) {
      record.timedOut = true;
      continue;
    }
    record.outcome = settled.status;
    record.latencyMs = settled.at - sentAt;
    record.observedMs = settled.receivedAt - sentAt;
  }
  return postErrors;
}

/** Closed loop: each worker (the first `workers` shoppers) places an order, waits for its saga to settle, and places the next. */
async function checkoutSlice(
  load: CheckoutLoad,
  phase: string,
  seconds: number,
  workers = load.catalogue.shoppers.length,
): Promise<CheckoutSlice> {
  const { platform } = load;
  await platform.idle();
  await platform.counts(true);
  const orders: OrderRecord[] = [];
  const a = load.cpu.snapshot();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const errorsByWorker = await Promise.all(
    load.catalogue.shoppers.slice(0, workers).map((_, w) => checkoutWorker(load, w, phase, deadline, orders)),
  );
  const postErrors = errorsByWorker.reduce((n, e) => n + e, 0);
  const elapsedS = (performance.now() - t0) / 1000;
  const b = load.cpu.snapshot();
  // Every saga of the slice has finished (the cart clean-up after the commit included) before counting.
  await platform.idle();
  const counts = await platform.counts(true);
  load.allOrders.push(...orders);
  const confirmed = orders.filter((o) => o.outcome === 'CONFIRMED').length;
  return {
    phase,
    elapsedS,
    posted: orders.length,
    confirmed,
    cancelled: orders.filter((o) => o.outcome === 'CANCELLED').length,
    timedOut: orders.filter((o) => o.timedOut).length,
    postErrors,
    ordersPerS: confirmed / elapsedS,
    counts,
    orders,
    cpu: load.cpu.between(a, b),
  };
}

/** Warm-up: imports every handler module, JITs the paths, and tells the raw side the op mix to replay. */
async function warmUp(
  ctx: BenchContext,
  plan: RunPlan,
  load: CheckoutLoad,
  raw: { doc: Parameters<typeof rawWorkload>[0]; table: string },
) {
  ctx.log(`checkout: warm-up ${plan.warmupS} s of checkout with ${plan.concurrency} workers`);
  const warm = await checkoutSlice(load, 'warm-up', plan.warmupS);
  if (warm.confirmed === 0)
    throw new Error(
      `no order confirmed during the warm-up (posted ${warm.posted}, POST errors ${warm.postErrors}: ${JSON.stringify(load.postFailures)})`,
    );
  const mix = mixFrom(warm.counts);
  if (mix.weights.length === 0)
    throw new Error(`the warm-up counted no DynamoDB request of a known kind: ${JSON.stringify(warm.counts)}`);
  if (mix.unsupported.length) ctx.log(`checkout: commands the raw side does not replay: ${mix.unsupported.join(', ')}`);
  const workload = rawWorkload(raw.doc, raw.table, SCRATCH_KEYS, mix);
  ctx.log(
    `checkout: raw mix ${mix.weights.map(([op, w]) => `${op} ${w}`).join(', ')}; ${round(mix.itemsPerTransaction, 2)} items per transaction`,
  );
  const rawWarmup = await warmRawSide(workload, plan.concurrency, load.cpu);
  ctx.log(`checkout: raw warm-up ${rawWarmup.map((x) => round(x)).join(' → ')} ops/s`);
  return { warm, mix, workload, rawWarmup };
}
type WarmUp = Awaited<ReturnType<typeof warmUp>>;

/** Alternating slices (checkout, raw; raw, checkout; …): outside load on this shared machine lands on both sides alike. */
async function measureRounds(ctx: BenchContext, plan: RunPlan, load: CheckoutLoad, warmed: WarmUp) {
  const { rounds, checkoutSliceS, rawSliceS, concurrency } = plan;
  ctx.log(
    `checkout: ${rounds} rounds of ${checkoutSliceS} s checkout and ${rawSliceS} s raw, ${concurrency}-way concurrency`,
  );
  const checkoutSlices: CheckoutSlice[] = [];
  const rawSlices: RawFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['checkout', 'raw'] as const) : (['raw', 'checkout'] as const);
    for (const side of order) {
      if (side === 'checkout') checkoutSlices.push(await checkoutSlice(load, `round ${r + 1}`, checkoutSliceS));
      else rawSlices.push(await rawSlice(warmed.workload, rawSliceS, r + 1, concurrency, load.cpu));
    }
    const c = checkoutSlices[r];
    ctx.log(
      `checkout: round ${r + 1}: ${round(c.ordersPerS)} orders/s (${c.confirmed} confirmed), raw ${round(rawSlices[r].opsPerS)} ops/s`,
    );
  }
  return { checkoutSlices, rawSlices };
}
type Rounds = Awaited<ReturnType<typeof measureRounds>>;

type FinalStatus = Map<string, { status: string; failureReason?: string; payment?: string }>;

/**
 * Verification through the API, one consistent GET per order, after every saga has ended: the final
 * status of each order, and what such a status read costs in DynamoDB requests.
 */
async function readFinalStatuses(ctx: BenchContext, plan: RunPlan, load: CheckoutLoad) {
  const { platform, api, allOrders } = load;
  await platform.idle();
  await platform.counts(true);
  ctx.log(`checkout: verifying ${allOrders.length} orders through GET /v1/orders/{id}`);
  const finalStatus: FinalStatus = new Map();
  let getErrors = 0;
  const queue = [...allOrders];
  const v0 = performance.now();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        const res = await api(`/v1/orders/${o.orderId}`, { token: load.catalogue.shoppers[o.worker].token }).catch(
          (e: Error) => ({ status: 0, body: undefined, text: e.message }),
        );
        if (res.status !== 200) {
          getErrors++;
          finalStatus.set(o.orderId, { status: `HTTP ${res.status}` });
        } else
          finalStatus.set(o.orderId, {
            status: res.body.status,
            failureReason: res.body.failureReason,
            payment: res.body.payment?.status,
          });
      }
    }),
  );
  const verifyS = (performance.now() - v0) / 1000;
  const verifyCounts = await platform.counts(true);
  return { finalStatus, getErrors, verifyS, verifyCounts };
}

/** Stock: nothing left reserved, and sold = what the confirmed orders bought (never oversold). */
async function stockProblems(load: CheckoutLoad, finalStatus: FinalStatus): Promise<string[]> {
  const soldByProduct = new Map<string, number>();
  for (const o of load.allOrders) {
    if (finalStatus.get(o.orderId)?.status !== 'CONFIRMED') continue;
    for (const l of o.lines) soldByProduct.set(l.productId, (soldByProduct.get(l.productId) ?? 0) + l.quantity);
  }
  const problems: string[] = [];
  for (const p of load.catalogue.products) {
    const res = await load.api(`/v1/inventory/${p.id}`, { token: load.catalogue.adminToken });
    if (res.status !== 200) {
      problems.push(`GET /v1/inventory/${p.id} answered ${res.status}`);
      continue;
    }
    const expected = INITIAL_STOCK - (soldByProduct.get(p.id) ?? 0);
    if (res.body.available !== expected || res.body.reserved !== 0)
      problems.push(
        `${p.id}: available ${res.body.available} (expected ${expected}), reserved ${res.body.reserved} (expected 0)`,
      );
  }
  return problems;
}

async function verify(ctx: BenchContext, plan: RunPlan, load: CheckoutLoad) {
  const statuses = await readFinalStatuses(ctx, plan, load);
  return { ...statuses, stockProblems: await stockProblems(load, statuses.finalStatus) };
}
type Verification = Awaited<ReturnType<typeof verify>>;

const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : Number.NaN);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** Figures over the measured slices, and the status reads' cost. */
function orderFigures({ checkoutSlices }: Rounds, verification: Verification, allOrders: OrderRecord[]) {
  const measured = checkoutSlices.flatMap((s) => s.orders);
  const confirmedOrders = measured.filter((o) => o.outcome === 'CONFIRMED');
  const elapsedS = checkoutSlices.reduce((n, s) => n + s.elapsedS, 0);
  const counts = mergeCounts(checkoutSlices.map((s) => s.counts));
  const totalCommands = sumValues(counts.commands);
  const totalAttempts = sumValues(counts.attempts);
  const opsPerOrder = totalCommands / Math.max(1, confirmedOrders.length);
  const getOpsPerRead = sumValues(verification.verifyCounts.commands) / Math.max(1, allOrders.length);
  return {
    measured,
    confirmedOrders,
    elapsedS,
    ordersPerS: confirmedOrders.length / elapsedS,
    latencies: confirmedOrders.map((o) => o.latencyMs!),
    observed: confirmedOrders.map((o) => o.observedMs!),
    accepts: measured.map((o) => o.acceptMs),
    counts,
    totalCommands,
    totalAttempts,
    opsPerOrder,
    attemptsPerOrder: totalAttempts / Math.max(1, confirmedOrders.length),
    getOpsPerRead,
    opsPerOrderWithRead: opsPerOrder + getOpsPerRead,
  };
}
type OrderFigures = ReturnType<typeof orderFigures>;

/** The raw slices together, and the ratio overall and per round. */
function ratioFigures({ checkoutSlices, rawSlices }: Rounds, orders: OrderFigures) {
  const raw = {
    ops: rawSlices.reduce((n, s) => n + s.ops, 0),
    errors: rawSlices.reduce((n, s) => n + s.errors, 0),
    elapsedS: rawSlices.reduce((n, s) => n + s.elapsedS, 0),
    byOp: rawSlices.reduce<Record<string, number>>((acc, s) => addInto(acc, s.byOp), {}),
    latencyMs: rawSlices.flatMap((s) => s.latencyMs),
    firstError: rawSlices.map((s) => s.firstError).find(Boolean),
  };
  const rawOpsPerS = raw.ops / raw.elapsedS;
  const ratio = orders.ordersPerS / (rawOpsPerS / orders.opsPerOrder);
  const roundRatios = checkoutSlices.map((c, i) => {
    const perOrder = sumValues(c.counts.commands) / Math.max(1, c.confirmed);
    return c.ordersPerS / (rawSlices[i].opsPerS / perOrder);
  });
  return { raw, rawOpsPerS, ratio, roundRatios };
}
type RatioFigures = ReturnType<typeof ratioFigures>;

/** Outcomes over every order placed (warm-up included), by the final GET, against the child's reports. */
function outcomeFigures(load: CheckoutLoad, { finalStatus }: Verification, { checkoutSlices }: Rounds, warm: WarmUp) {
  const { allOrders } = load;
  const byFinal = new Map<string, number>();
  for (const o of allOrders) {
    const f = finalStatus.get(o.orderId);
    const key = f ? (f.status === 'CANCELLED' ? `CANCELLED (${f.failureReason ?? '?'})` : f.status) : 'not verified';
    byFinal.set(key, (byFinal.get(key) ?? 0) + 1);
  }
  return {
    byFinal,
    timedOut: allOrders.filter((o) => o.timedOut),
    reportedCancelled: allOrders.filter((o) => o.outcome === 'CANCELLED'),
    // The child's report and the API must agree: a report the API contradicts would make the figures wrong.
    disagreements: allOrders.filter((o) => o.outcome && finalStatus.get(o.orderId)?.status !== o.outcome),
    unreportedConfirmed: allOrders.filter((o) => !o.outcome && finalStatus.get(o.orderId)?.status === 'CONFIRMED'),
    postErrors: checkoutSlices.reduce((n, s) => n + s.postErrors, 0) + warm.warm.postErrors,
  };
}

const cpuTotal = (parts: CpuUse[]) =>
  parts.reduce(
    (acc, c) => ({
      bench: acc.bench + c.bench,
      platformChild: acc.platformChild + c.platformChild,
      dynamodbLocal: acc.dynamodbLocal + c.dynamodbLocal,
    }),
    { bench: 0, platformChild: 0, dynamodbLocal: 0 },
  );

const share = (s: number, over: number) => `${round((100 * s) / over, 0)} %`;
const cpuText = (c: CpuUse, over: number) =>
  `bench ${share(c.bench, over)}, platform child ${share(c.platformChild, over)}, DynamoDB Local ${share(c.dynamodbLocal, over)}`;

/** CPU per side, per confirmed order and per raw op; DynamoDB Local's per request on each side (the same JVM doing the same kind of work). */
function cpuFigures({ checkoutSlices, rawSlices }: Rounds, orders: OrderFigures, { raw }: RatioFigures) {
  const cpuCheckout = cpuTotal(checkoutSlices.map((s) => s.cpu));
  const cpuRaw = cpuTotal(rawSlices.map((s) => s.cpu));
  const allCpuMsPerOrder =
    (1000 * (cpuCheckout.bench + cpuCheckout.platformChild + cpuCheckout.dynamodbLocal)) /
    Math.max(1, orders.confirmedOrders.length);
  const allCpuMsPerRawOp = (1000 * (cpuRaw.bench + cpuRaw.platformChild + cpuRaw.dynamodbLocal)) / Math.max(1, raw.ops);
  return {
    cpuCheckout,
    cpuRaw,
    jvmMsPerOpCheckout: (1000 * cpuCheckout.dynamodbLocal) / Math.max(1, orders.totalAttempts),
    jvmMsPerOpRaw: (1000 * cpuRaw.dynamodbLocal) / Math.max(1, raw.ops),
    allCpuMsPerOrder,
    allCpuMsPerRawOp,
    cpuRatio: (allCpuMsPerRawOp * orders.opsPerOrder) / allCpuMsPerOrder,
  };
}

/** The platform process's event loop during the checkout slices, weighted by each slice's window. */
function eventLoopFigures({ checkoutSlices }: Rounds) {
  const loopWindows = checkoutSlices.filter((c) => c.counts.eventLoop);
  const loopWeight = loopWindows.reduce((n, c) => n + c.counts.windowMs, 0);
  const loopAvg = (f: (e: NonNullable<DynamoCounts['eventLoop']>) => number) =>
    loopWeight
      ? loopWindows.reduce((n, c) => n + f(c.counts.eventLoop!) * c.counts.windowMs, 0) / loopWeight
      : Number.NaN;
  return {
    utilization: loopAvg((e) => e.utilization),
    delayMeanMs: loopAvg((e) => e.delayMeanMs),
    delayP99Ms: Math.max(...loopWindows.map((c) => c.counts.eventLoop!.delayP99Ms)),
  };
}

/** One order at a time: how long POST /v1/orders takes to answer 202, and the saga, with nothing queued. */
function oneWayFigures(oneWay: CheckoutSlice) {
  const confirmed = oneWay.orders.filter((o) => o.outcome === 'CONFIRMED');
  const accepts = oneWay.orders.map((o) => o.acceptMs);
  return {
    oneWay: {
      orders: oneWay.posted,
      confirmed: confirmed.length,
      acceptP50Ms: percentile(accepts, 50),
      acceptP99Ms: percentile(accepts, 99),
      sagaP50Ms: percentile(
        confirmed.map((o) => o.latencyMs!),
        50,
      ),
      requestsPerOrder: sumValues(oneWay.counts.commands) / Math.max(1, confirmed.length),
    },
  };
}

/** Everything the report says, computed once. */
function computeFigures(
  load: CheckoutLoad,
  warm: WarmUp,
  oneWay: CheckoutSlice,
  rounds: Rounds,
  verification: Verification,
) {
  const orders = orderFigures(rounds, verification, load.allOrders);
  const ratios = ratioFigures(rounds, orders);
  const cost = costFigures({
    checkout: orders.counts.billing,
    statusReads: verification.verifyCounts.billing,
    confirmed: orders.confirmedOrders.length,
    // Every POST that got an answer reached the edge (a failed connection did not).
    posts: orders.measured.length + rounds.checkoutSlices.reduce((n, s) => n + s.postErrors, 0),
    reads: load.allOrders.length,
    sagaP50Ms: percentile(orders.latencies, 50),
  });
  return {
    cost,
    ...oneWayFigures(oneWay),
    ...orders,
    ...ratios,
    ...outcomeFigures(load, verification, rounds, warm),
    ...cpuFigures(rounds, orders, ratios),
    eventLoop: eventLoopFigures(rounds),
    dynamoMsPerOrder: sumValues(orders.counts.msByTable) / Math.max(1, orders.confirmedOrders.length),
  };
}
type Figures = ReturnType<typeof computeFigures>;

/** What the report is made of: the plan, the run's parts and the figures, under the names the report uses. */
function reportValues(
  plan: RunPlan,
  startupS: number,
  load: CheckoutLoad,
  warmed: WarmUp,
  rounds: Rounds,
  verification: Verification,
  figures: Figures,
) {
  return {
    ...plan,
    startupS,
    ...load.catalogue,
    allOrders: load.allOrders,
    postFailures: load.postFailures,
    ...warmed,
    ...rounds,
    ...verification,
    ...figures,
  };
}
type ReportValues = ReturnType<typeof reportValues>;

/** DynamoDB requests per confirmed order, by command, against the share of each in the raw mix. */
function byCommandTable(v: ReportValues): Table {
  const {
    confirmedOrders,
    counts,
    totalCommands,
    opsPerOrder,
    attemptsPerOrder,
    getOpsPerRead,
    opsPerOrderWithRead,
    raw,
  } = v;
  const commandNames = [...new Set([...Object.keys(counts.commands), ...Object.keys(raw.byOp)])].sort();
  return {
    title: `DynamoDB requests per confirmed order, by command (handlers' requests counted in the platform; ${confirmedOrders.length} confirmed orders)`,
    columns: [
      'command',
      'per order (checkout)',
      'attempts per order (SDK retries incl.)',
      'share of checkout requests',
      'share of raw ops replayed',
    ],
    rows: [
      ...commandNames.map((name) => [
        name,
        round((counts.commands[name] ?? 0) / Math.max(1, confirmedOrders.length), 2),
        round((counts.attempts[name] ?? 0) / Math.max(1, confirmedOrders.length), 2),
        `${round((100 * (counts.commands[name] ?? 0)) / Math.max(1, totalCommands), 1)} %`,
        `${round((100 * (raw.byOp[name] ?? 0)) / Math.max(1, raw.ops), 1)} %`,
      ]),
      ['total (checkout only)', round(opsPerOrder, 2), round(attemptsPerOrder, 2), '100 %', '100 %'],
      ['GetItem of one status read (GET /v1/orders/{id})', round(getOpsPerRead, 2), '', '', ''],
      ['total incl. one status read per order', round(opsPerOrderWithRead, 2), '', '', ''],
    ],
  };
}

/** The same requests by table, and how long the handlers waited for them. */
function byRequestTable(v: ReportValues): Table {
  const { confirmedOrders, counts, totalCommands, opsPerOrder, dynamoMsPerOrder } = v;
  const signatures = Object.keys(counts.byTable).sort(
    (a, b) => (counts.msByTable[b] ?? 0) - (counts.msByTable[a] ?? 0),
  );
  return {
    title:
      'The same requests by table, and how long the handlers waited for them (send → answer in the platform process, its event-loop delays included)',
    columns: ['request', 'per order', 'mean ms', 'ms per order'],
    rows: [
      ...signatures.map((k) => [
        k,
        round((counts.byTable[k] ?? 0) / Math.max(1, confirmedOrders.length), 2),
        round((counts.msByTable[k] ?? 0) / Math.max(1, counts.byTable[k] ?? 0), 1),
        round((counts.msByTable[k] ?? 0) / Math.max(1, confirmedOrders.length), 1),
      ]),
      [
        'total',
        round(opsPerOrder, 2),
        round(sumValues(counts.msByTable) / Math.max(1, totalCommands), 1),
        round(dynamoMsPerOrder, 1),
      ],
    ],
  };
}

function targetsOf(v: ReportValues): Target[] {
  const { opsPerOrder, ratio, oneWay } = v;
  return [
    {
      name: 'POST /v1/orders → 202 p50, one order at a time',
      target: `< ${ONE_WAY_ACCEPT_TARGET_MS} ms`,
      actual: `${round(oneWay.acceptP50Ms, 1)} ms`,
      pass: oneWay.acceptP50Ms < ONE_WAY_ACCEPT_TARGET_MS,
    },
    {
      name: 'orders/s ÷ (raw ops/s ÷ ops per order)',
      target: `≥ ${RATIO_TARGET}`,
      actual: String(round(ratio, 2)),
      pass: ratio >= RATIO_TARGET,
    },
    {
      name: 'DynamoDB requests per confirmed order (checkout only)',
      target: `≤ ${OPS_PER_ORDER_TARGET}`,
      actual: String(round(opsPerOrder, 2)),
      pass: opsPerOrder <= OPS_PER_ORDER_TARGET,
    },
  ];
}

/** The ratio, its drift over the rounds, what it compares, and the saga latency. */
function throughputFindings(v: ReportValues): string[] {
  const {
    concurrency,
    checkoutSlices,
    rawSlices,
    ordersPerS,
    latencies,
    observed,
    accepts,
    counts,
    totalCommands,
    opsPerOrder,
    rawOpsPerS,
    ratio,
    roundRatios,
    eventLoop,
    dynamoMsPerOrder,
  } = v;
  const findings: string[] = [];
  findings.push(
    `Ratio ${round(ratio, 2)} (target ≥ ${RATIO_TARGET}; per round ${roundRatios.map((x) => round(x, 2)).join(', ')}): the checkout drove DynamoDB Local at ${round(ordersPerS * opsPerOrder)} requests/s (${round(ordersPerS, 1)} orders/s × ${round(opsPerOrder, 2)}), against ${round(rawOpsPerS)} ops/s for the same mix sent straight from a client at the same ${concurrency}-way concurrency. The rest of an order's cost is the edge, the handlers, the Step Functions emulator and the saga's sequencing.`,
  );
  const [firstRatio, lastRatio] = [roundRatios[0], roundRatios.at(-1)!];
  if (roundRatios.length >= 3 && Math.abs(lastRatio - firstRatio) > 0.3 * Math.max(firstRatio, lastRatio)) {
    findings.push(
      `The per-round ratio drifted from ${round(firstRatio, 2)} to ${round(lastRatio, 2)} (raw ops/s ${rawSlices.map((r) => round(r.opsPerS)).join(', ')}; orders/s ${checkoutSlices.map((c) => round(c.ordersPerS, 1)).join(', ')}): DynamoDB Local still speeding up under load, or the machine's load changing. The overall ratio averages over it; prefer a run on a quieter machine.`,
    );
  }
  findings.push(
    `Both sides are closed loops at ${concurrency}-way concurrency, so throughput is concurrency ÷ latency on each and the ratio compares latencies: an order's ${round(opsPerOrder, 2)} requests at the raw mean of ${round((1000 * concurrency) / rawOpsPerS, 1)} ms each would take ${round((1000 * concurrency * opsPerOrder) / rawOpsPerS)} ms; a confirmed order took ${round((1000 * concurrency) / ordersPerS)} ms per worker (mean POST → CONFIRMED ${round(mean(latencies))} ms, plus the cart clean-up after the commit and the next POST). Inside the platform a DynamoDB request took ${round(sumValues(counts.msByTable) / Math.max(1, totalCommands), 1)} ms on average from send to answer vs ${round((1000 * concurrency) / rawOpsPerS, 1)} ms raw (${round(dynamoMsPerOrder)} ms per order summed over its requests, some of which overlap); the platform process's event loop (edge, handlers, Step Functions emulator, all ${concurrency} orders in flight) was busy ${round(100 * eventLoop.utilization, 0)} % of the time, timers ran late by ${round(eventLoop.delayMeanMs, 1)} ms on average (worst slice p99 ${round(eventLoop.delayP99Ms, 1)} ms), which is how long a ready answer can wait for its handler to resume.`,
  );
  findings.push(
    `One order at a time (${v.oneWay.orders} orders in ${v.oneWayS} s, ${v.oneWay.confirmed} confirmed, one worker): POST /v1/orders → 202 p50 ${round(v.oneWay.acceptP50Ms, 1)} ms, p99 ${round(v.oneWay.acceptP99Ms, 1)} ms (target p50 < ${ONE_WAY_ACCEPT_TARGET_MS} ms); saga p50 ${round(v.oneWay.sagaP50Ms)} ms; ${round(v.oneWay.requestsPerOrder, 2)} DynamoDB requests per confirmed order.`,
  );
  findings.push(
    `Saga latency, POST sent → CONFIRMED written: p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms (max ${round(maxOf(latencies))} ms); the POST itself answered 202 in p50 ${round(percentile(accepts, 50))} ms, p99 ${round(percentile(accepts, 99))} ms. Seen here through IPC: p50 ${round(percentile(observed, 50))} ms, p99 ${round(percentile(observed, 99))} ms.`,
  );
  return findings;
}

/** Every order's outcome, the reports against the API, stock, failed requests, CPU. */
function outcomeFindings(v: ReportValues): string[] {
  const {
    products,
    allOrders,
    postFailures,
    finalStatus,
    stockProblems,
    byFinal,
    timedOut,
    reportedCancelled,
    disagreements,
    unreportedConfirmed,
    postErrors,
  } = v;
  const findings: string[] = [];
  const outcomes = [...byFinal.entries()].map(([k, n]) => `${k} ${n}`).join(', ');
  const unconfirmed = allOrders.length - (byFinal.get('CONFIRMED') ?? 0);
  findings.push(
    unconfirmed === 0 && postErrors === 0
      ? `All ${allOrders.length} orders placed (warm-up included) confirmed; no POST failed, none timed out (${ORDER_TIMEOUT_MS / 1000} s), none cancelled.`
      : `Not every order confirmed: of ${allOrders.length} placed (warm-up included), final status by GET: ${outcomes}; ${timedOut.length} not settled within ${ORDER_TIMEOUT_MS / 1000} s${
          timedOut.length
            ? ` (e.g. ${timedOut
                .slice(0, 3)
                .map((o) => o.orderId)
                .join(', ')})`
            : ''
        }; ${reportedCancelled.length} reported CANCELLED; ${postErrors} POSTs failed${
          postFailures.length
            ? ` (first: ${postFailures
                .map((f) => `${f.status} ${f.body}`)
                .slice(0, 2)
                .join(' / ')})`
            : ''
        }.`,
  );
  if (disagreements.length || unreportedConfirmed.length) {
    findings.push(
      `The platform's status reports and the API disagree: ${disagreements.length} orders reported settled show another status by GET (e.g. ${disagreements
        .slice(0, 3)
        .map((o) => `${o.orderId}: reported ${o.outcome}, GET ${finalStatus.get(o.orderId)?.status}`)
        .join('; ')}); ${unreportedConfirmed.length} orders are CONFIRMED by GET without a report within the timeout.`,
    );
  }
  findings.push(
    stockProblems.length
      ? `Stock does not add up on ${stockProblems.length} of ${products.length} products: ${stockProblems.slice(0, 3).join('; ')}.`
      : `Stock adds up on all ${products.length} products: available = ${INITIAL_STOCK} − units of the CONFIRMED orders, reserved 0.`,
  );
  return findings;
}

/** Failed requests, the raw side's errors, CPU, and what the raw side leaves out. */
function costFindings(v: ReportValues): string[] {
  const {
    mix,
    elapsedS,
    counts,
    totalCommands,
    totalAttempts,
    opsPerOrder,
    raw,
    cpuCheckout,
    cpuRaw,
    jvmMsPerOpCheckout,
    jvmMsPerOpRaw,
    allCpuMsPerOrder,
    allCpuMsPerRawOp,
    cpuRatio,
  } = v;
  const findings: string[] = [];
  const errorText = Object.entries(counts.errors)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  findings.push(
    totalAttempts !== totalCommands || errorText
      ? `Failed DynamoDB requests during the measured checkout: ${errorText || 'none'}; ${totalAttempts - totalCommands} SDK retries. Failed requests and their retries are in the per-order count: they are what the checkout cost.`
      : 'No DynamoDB request of the checkout failed or was retried (no transaction conflicts, no failed conditions).',
  );
  if (raw.errors) findings.push(`Raw side: ${raw.errors} failed ops (first: ${raw.firstError}).`);
  findings.push(
    `CPU (100 % = one core of ${os.cpus().length}) during checkout: ${cpuText(cpuCheckout, elapsedS)}; during raw: ${cpuText(cpuRaw, raw.elapsedS)}. All three processes' CPU per confirmed order ${round(allCpuMsPerOrder, 2)} ms vs ${round(allCpuMsPerRawOp * opsPerOrder, 2)} ms for its ${round(opsPerOrder, 2)} raw ops: a CPU-cost ratio of ${round(cpuRatio, 2)}, the ratio to expect when CPU-bound on an otherwise idle machine. DynamoDB Local spends ${round(jvmMsPerOpCheckout, 3)} ms CPU per request in the checkout vs ${round(jvmMsPerOpRaw, 3)} ms per raw op.`,
  );
  if (mix.unsupported.length)
    findings.push(
      `Commands of the checkout the raw side does not replay (left out of its mix): ${mix.unsupported.join(', ')}.`,
    );
  return findings;
}

function methodOf(v: ReportValues): string[] {
  const {
    concurrency,
    rounds,
    checkoutSliceS,
    rawSliceS,
    warmupS,
    startupS,
    products,
    shoppers,
    mix,
    rawWarmup,
    verifyS,
  } = v;
  return [
    `The platform (startPlatform: DynamoDB Local, cognito-local, in-process SQS and Step Functions emulators, HTTP edge; free ports for all five, temp dataDir, persist false — DynamoDB Local's database in a folder in memory, its stream records indexed —, seed 'demo', sweeper timer off) runs in a child process spawned with an IPC channel; load is generated in this process. Startup took ${round(startupS)} s.`,
    `Setup through the API: ${products.length} products (POST /v1/products as admin, initialStock ${INITIAL_STOCK}) and ${shoppers.length} shoppers (POST /v1/users, POST /v1/auth/login), one per worker.`,
    `Checkout: ${concurrency} workers in closed loop, each POSTing /v1/orders (its shopper's token, fresh Idempotency-Key, tok_visa, \`items\` of 1–2 distinct products × 1–2 units, seeded PRNG) and waiting for that order to settle before the next. Completion is not polled: in the child a middleware on \`dynamoClient()\` sees each successful write that SETs an order's status (the confirmation's TransactWriteItems, the cancellation's UpdateItem) and sends {orderId, status, wall-clock time} over IPC. That is the moment a consistent GET starts to answer CONFIRMED, so latency is not quantised by a poll interval and no GET load competes with the sagas. Saga latency = that time − the wall-clock time just before the POST was sent (same machine clock, both processes).`,
    `One order at a time: after the warm-up, ${v.oneWayS} s of the same loop with one worker, not counted in the rounds; its POST → 202 is the latency target's figure.`,
    `Orders/s = confirmed orders / elapsed time of the measured checkout slices (a slice ends when its workers stop at the deadline and their last order has settled). ${warmupS} s of checkout then 2-s slices of raw ops until two in a row agree within 10 % (${rawWarmup.length} slices: ${rawWarmup.map((x) => round(x)).join(' → ')} ops/s) first, not counted (handler imports, V8 and DynamoDB Local's JIT); a worker gives up waiting after ${ORDER_TIMEOUT_MS / 1000} s (counted as a timeout).`,
    "DynamoDB requests: the same middleware counts every command sent through the shared `dynamoClient()` (document client, bare client, Powertools idempotency layer) by name at the initialize step, and each HTTP attempt at the deserialize step (SDK retries). Counts are read and reset over IPC after each slice, once Platform.sagasIdle() says no saga is running, so a slice's count holds all of its orders' requests (the cart clean-up after the commit included) and nothing else; divided by confirmed orders (cancelled orders' requests would be in the numerator). \"Checkout only\" has no status reads; one GET /v1/orders/{id} per order was sent after the load, its requests counted separately.",
    `Raw: ${concurrency} concurrent loops in this process (@aws-sdk/lib-dynamodb, maxAttempts 3, as the handlers) against a scratch table of ${SCRATCH_KEYS} items (~600-byte payload) in the same DynamoDB Local, replaying the checkout's command mix as counted in the warm-up (weights ${mix.weights.map(([op, w]) => `${op} ${w}`).join(', ')}; ${round(mix.itemsPerTransaction, 2)} items per TransactWriteItems: a conditional Put and conditional Updates); conditional writes and consistent reads as the handlers use them. Ops/s = successful ops / elapsed.`,
    `${rounds} rounds alternate ${checkoutSliceS} s of checkout and ${rawSliceS} s of raw ops (checkout, raw; raw, checkout; …), never both at once. Ratio = orders/s ÷ (raw ops/s ÷ ops per order) = DynamoDB requests/s the checkout achieved ÷ raw ops/s. CPU time per process from /proc/<pid>/stat and process.cpuUsage().`,
    ...costMethod(v.cost),
    `Verification: after the load and once every saga ended, every order placed (warm-up included) is read once through GET /v1/orders/{id} (${round(verifyS, 1)} s) and classified by its final status; the child's reports are checked against it; each product's stock is checked (GET /v1/inventory/{id}): available = initial − units confirmed, reserved 0.`,
  ];
}

function tablesOf(v: ReportValues): Table[] {
  const {
    concurrency,
    rounds,
    checkoutSlices,
    rawSlices,
    measured,
    confirmedOrders,
    elapsedS,
    ordersPerS,
    latencies,
    accepts,
    opsPerOrder,
    opsPerOrderWithRead,
    raw,
    rawOpsPerS,
    ratio,
    roundRatios,
  } = v;
  return [
    {
      title: `Checkout vs raw DynamoDB Local, ${concurrency}-way concurrency (${rounds} alternating rounds: ${round(elapsedS, 1)} s checkout, ${round(raw.elapsedS, 1)} s raw)`,
      columns: ['measure', 'value'],
      rows: [
        ['orders placed (measured slices)', measured.length],
        [
          'confirmed / cancelled / timed out / POST errors',
          `${confirmedOrders.length} / ${measured.filter((o) => o.outcome === 'CANCELLED').length} / ${measured.filter((o) => o.timedOut).length} / ${checkoutSlices.reduce((n, s) => n + s.postErrors, 0)}`,
        ],
        ['orders/s (POST → CONFIRMED)', round(ordersPerS, 2)],
        [
          'saga latency p50 / p99 ms (POST sent → CONFIRMED written)',
          `${round(percentile(latencies, 50))} / ${round(percentile(latencies, 99))}`,
        ],
        ['POST /v1/orders → 202 p50 / p99 ms', `${round(percentile(accepts, 50))} / ${round(percentile(accepts, 99))}`],
        ['DynamoDB requests per confirmed order, checkout only', round(opsPerOrder, 2)],
        ['DynamoDB requests per confirmed order, incl. one status GET', round(opsPerOrderWithRead, 2)],
        ['DynamoDB requests/s during checkout', round(ordersPerS * opsPerOrder)],
        ['raw ops/s (same mix, same concurrency)', round(rawOpsPerS)],
        [
          'raw op latency p50 / p99 ms',
          `${round(percentile(raw.latencyMs, 50), 2)} / ${round(percentile(raw.latencyMs, 99), 2)}`,
        ],
        ['orders/s ÷ (raw ops/s ÷ ops per order)', round(ratio, 2)],
      ],
    },
    byCommandTable(v),
    byRequestTable(v),
    byFunctionTable(v.counts, v.confirmedOrders.length),
    ...costTables(v.cost),
    {
      title: 'Per round',
      columns: ['round', 'checkout s', 'orders', 'confirmed', 'orders/s', 'requests per order', 'raw ops/s', 'ratio'],
      rows: checkoutSlices.map((c, i) => [
        c.phase,
        round(c.elapsedS, 1),
        c.posted,
        c.confirmed,
        round(c.ordersPerS, 1),
        round(sumValues(c.counts.commands) / Math.max(1, c.confirmed), 2),
        round(rawSlices[i].opsPerS),
        round(roundRatios[i], 2),
      ]),
    },
  ];
}

/** Raw figures for report.json: how the run went, the checkout's figures, then the raw side's and the CPU's. */
function dataOf(v: ReportValues): unknown {
  return { ...runData(v), ...checkoutData(v), ...rawAndCpuData(v) };
}

function runData(v: ReportValues) {
  return {
    platformStartupS: v.startupS,
    concurrency: v.concurrency,
    products: v.products.length,
    shoppers: v.shoppers.length,
    rounds: v.rounds,
    checkoutSliceS: v.checkoutSliceS,
    rawSliceS: v.rawSliceS,
    warmupS: v.warmupS,
    warmUp: { ...v.warm, orders: undefined },
    oneWay: v.oneWay,
    rawWarmupOpsPerS: v.rawWarmup,
    checkoutSlices: v.checkoutSlices.map((s) => ({ ...s, orders: undefined })),
    rawSlices: v.rawSlices.map((s) => ({ ...s, latencyMs: undefined })),
  };
}

function checkoutData(v: ReportValues) {
  const { latencies, observed, accepts } = v;
  return {
    ordersPerS: v.ordersPerS,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: maxOf(latencies),
      mean: mean(latencies),
    },
    observedLatencyMs: { p50: percentile(observed, 50), p99: percentile(observed, 99) },
    acceptMs: { p50: percentile(accepts, 50), p99: percentile(accepts, 99) },
    counts: v.counts,
    opsPerOrder: v.opsPerOrder,
    attemptsPerOrder: v.attemptsPerOrder,
    dynamoMsPerOrder: v.dynamoMsPerOrder,
    platformEventLoop: v.eventLoop,
    verification: {
      orders: v.allOrders.length,
      seconds: v.verifyS,
      counts: v.verifyCounts,
      getErrors: v.getErrors,
      outcomes: Object.fromEntries(v.byFinal),
      disagreements: v.disagreements.length,
      unreportedConfirmed: v.unreportedConfirmed.length,
      stockProblems: v.stockProblems,
    },
    getOpsPerRead: v.getOpsPerRead,
    opsPerOrderWithRead: v.opsPerOrderWithRead,
    awsCost: {
      prices: v.cost.prices,
      unitsPerOrder: { checkout: v.cost.checkoutUnits, withStatusGet: v.cost.withReadUnits },
      usdPer1000Orders: { standard: v.cost.totalStandard, express: v.cost.totalExpress },
      lines: v.cost.withRead,
    },
  };
}

function rawAndCpuData(v: ReportValues) {
  return {
    raw: {
      ...v.raw,
      latencyMs: undefined,
      opsPerS: v.rawOpsPerS,
      p50Ms: percentile(v.raw.latencyMs, 50),
      p99Ms: percentile(v.raw.latencyMs, 99),
    },
    mix: v.mix,
    ratio: v.ratio,
    roundRatios: v.roundRatios,
    cpuSeconds: { checkout: v.cpuCheckout, raw: v.cpuRaw },
    cpuMs: {
      perConfirmedOrder: v.allCpuMsPerOrder,
      perRawOp: v.allCpuMsPerRawOp,
      jvmPerCheckoutRequest: v.jvmMsPerOpCheckout,
      jvmPerRawOp: v.jvmMsPerOpRaw,
    },
    cpuCostRatio: v.cpuRatio,
    timedOutOrders: v.timedOut.map((o) => o.orderId),
    postFailures: v.postFailures,
  };
}

export const checkoutSection: Section = {
  id: 'checkout',
  title: 'Checkout: orders/s and saga latency vs raw DynamoDB Local throughput for the same op mix',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const plan = planRun(ctx.options);
    ctx.log('checkout: starting the local platform in a child process (IPC channel, DynamoDB request counting)');
    const s0 = performance.now();
    const platform = await startLinkedPlatform(ctx);
    const { info, child } = platform;
    const startupS = (performance.now() - s0) / 1000;
    ctx.log(
      `checkout: platform up in ${startupS.toFixed(1)} s at ${info.apiUrl} (child ${child.pid}, emulators ${info.pids.join(', ')})`,
    );
    const api = apiClient(info.apiUrl);
    const catalogue = await createProductsAndShoppers(ctx, api, plan);
    const cpu = cpuMeter({ platformChild: child.pid!, dynamodbLocal: info.pids[0] });
    const load = checkoutLoad(platform, api, catalogue, cpu);
    // Raw side: this process → DynamoDB Local, a scratch table, the checkout's op mix, same concurrency.
    const rawSide = await openRawSide(ctx, info);

    const warmed = await warmUp(ctx, plan, load, rawSide);
    ctx.log(`checkout: ${plan.oneWayS} s of one order at a time`);
    const oneWay = await checkoutSlice(load, 'one at a time', plan.oneWayS, 1);
    const rounds = await measureRounds(ctx, plan, load, warmed);
    const verification = await verify(ctx, plan, load);
    const figures = computeFigures(load, warmed, oneWay, rounds, verification);
    const v = reportValues(plan, startupS, load, warmed, rounds, verification, figures);
    return {
      method: methodOf(v),
      targets: targetsOf(v),
      tables: tablesOf(v),
      findings: [
        ...throughputFindings(v),
        ...outcomeFindings(v),
        ...costFindings(v),
        ...awsCostFindings(v.cost, v.counts.billing),
      ],
      data: dataOf(v),
    };
  },
};
