/**
 * Section: request paths against their raw limits (issue 17, item 3). GET /v1/recommendations (a signed-in shopper
 * with a purchase history, and an anonymous product page), GET /v1/cart and GET /v1/orders/{id} through the edge,
 * each beside the SDK requests its handler cannot do without (./paths-raw.ts), sent from this process to the same
 * model server and DynamoDB Local. Target: API p50 ≤ 3 × the sum of the raw steps' p50s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cartRaw, orderRaw, recommendationsRaw, type RawChain } from './paths-raw';
import { loadChain, loadRoute, mergeApi, mergeRaw, p50, p99, type ApiLoad, type RawLoad } from './paths-load';
import { startPathsTarget, trainDemoModel, type PathsTarget } from './paths-setup';
import type { BenchContext, BenchOptions, Section, SectionResult, Table, Target } from './report';
import { round } from './stats';
import type { CpuUse } from './platform-process';

const noCpu = (): CpuUse => ({ bench: 0, platformChild: 0, dynamodbLocal: 0 });

export const PATH_RATIO_TARGET = 3;
/** Latency alone (one request at a time on each side), then under the bench's concurrency (--connections). */
const concurrencies = (options: BenchOptions) => [...new Set([1, options.connections])];
const LIMIT = 10;

interface PathSpec {
  name: string;
  route: string;
  signedIn: boolean;
  raw: RawChain;
  rawLabel: string;
}

function pathSpecs(t: PathsTarget): PathSpec[] {
  return [
    {
      name: 'recommendations, signed-in shopper',
      route: `/v1/recommendations?limit=${LIMIT}`,
      signedIn: true,
      raw: recommendationsRaw(t, { userId: t.shopper.userId, limit: LIMIT }),
      rawLabel: 'InvokeEndpoint (history) + BatchGetItem',
    },
    {
      name: 'recommendations, anonymous product page',
      route: `/v1/recommendations?productId=${encodeURIComponent(t.anchor)}&limit=${LIMIT}`,
      signedIn: false,
      raw: recommendationsRaw(t, { productId: t.anchor, limit: LIMIT }),
      rawLabel: 'InvokeEndpoint (productId) + BatchGetItem',
    },
    { name: 'cart', route: '/v1/cart', signedIn: true, raw: cartRaw(t), rawLabel: 'GetItem cart + BatchGetItem' },
    {
      name: 'order',
      route: `/v1/orders/${t.shopper.orderId}`,
      signedIn: true,
      raw: orderRaw(t),
      rawLabel: 'GetItem order',
    },
  ];
}

/** One answer of each route must be a 200 — and the recommendations the model's, or the comparison is moot. */
async function probe(t: PathsTarget, spec: PathSpec) {
  const answer = await t.api(spec.route, { token: spec.signedIn ? t.shopper.token : undefined });
  if (answer.status !== 200) throw new Error(`GET ${spec.route} answered ${answer.status}: ${answer.text}`);
  if (spec.route.startsWith('/v1/recommendations') && answer.body.source !== 'model')
    throw new Error(`GET ${spec.route} was answered without the model: ${answer.text}`);
  await spec.raw();
}

/** API and raw in alternating slices (API, raw; raw, API; …), as the api section does. */
async function measurePath(
  ctx: BenchContext,
  t: PathsTarget,
  spec: PathSpec,
  options: BenchOptions,
  concurrency: number,
) {
  const url = `${t.info.apiUrl}${spec.route}`;
  const token = spec.signedIn ? t.shopper.token : undefined;
  const slice = options.duration / options.rounds;
  if (options.warmup > 0) {
    await loadRoute(url, token, concurrency, options.warmup);
    await loadChain(spec.raw, concurrency, options.warmup);
  }
  const apiParts: ApiLoad[] = [];
  const rawParts: RawLoad[] = [];
  ctx.log(`paths: ${spec.name}, ${concurrency}-way, ${options.rounds} rounds of ${slice} s per side`);
  const cpu = { api: noCpu(), raw: noCpu() };
  const metered = async (side: 'api' | 'raw', run: () => Promise<void>) => {
    const a = t.cpu.snapshot();
    await run();
    const used = t.cpu.between(a, t.cpu.snapshot());
    for (const k of Object.keys(used) as (keyof CpuUse)[]) cpu[side][k] += used[k];
  };
  for (let r = 0; r < options.rounds; r++) {
    const api = () => metered('api', async () => void apiParts.push(await loadRoute(url, token, concurrency, slice)));
    const raw = () => metered('raw', async () => void rawParts.push(await loadChain(spec.raw, concurrency, slice)));
    if (r % 2 === 0) await api().then(raw);
    else await raw().then(api);
  }
  return { api: mergeApi(apiParts), raw: mergeRaw(rawParts), cpu };
}
type PathFigures = Awaited<ReturnType<typeof measurePath>>;

/** CPU ms per request (per chain on the raw side) of each process. */
const cpuPer = (use: CpuUse, n: number) =>
  Object.fromEntries(Object.entries(use).map(([k, s]) => [k, round((1000 * s) / Math.max(1, n), 2)]));

function figuresOf(spec: PathSpec, concurrency: number, { api, raw, cpu }: PathFigures) {
  const stepP50 = Object.fromEntries(Object.entries(raw.steps).map(([name, ms]) => [name, p50(ms)]));
  const limit = Object.values(stepP50).reduce((a, b) => a + b, 0);
  const apiP50 = p50(api.latencyMs);
  return {
    name: spec.name,
    concurrency,
    route: spec.route,
    rawLabel: spec.rawLabel,
    api: { requests: api.latencyMs.length, errors: api.errors, p50Ms: apiP50, p99Ms: p99(api.latencyMs) },
    raw: {
      chains: raw.latencyMs.length,
      errors: raw.errors,
      firstError: raw.firstError,
      p50Ms: p50(raw.latencyMs),
      p99Ms: p99(raw.latencyMs),
      stepP50Ms: stepP50,
    },
    cpuMsPerRequest: { api: cpuPer(cpu.api, api.latencyMs.length), raw: cpuPer(cpu.raw, raw.latencyMs.length) },
    rawLimitMs: limit,
    ratio: apiP50 / limit,
  };
}
type PathResult = ReturnType<typeof figuresOf>;

const stepText = (r: PathResult) =>
  Object.entries(r.raw.stepP50Ms)
    .map(([name, ms]) => `${name} ${round(ms, 2)}`)
    .join(' + ');

function tableOf(results: PathResult[], concurrency: number, options: BenchOptions): Table {
  return {
    title: `Request paths vs their raw requests, ${concurrency}-way, ${options.duration} s per side`,
    columns: [
      'path',
      'API requests',
      'errors',
      'API p50 ms',
      'API p99 ms',
      'raw steps (p50 ms)',
      'raw p50 sum ms',
      'raw chain p99 ms',
      'API p50 / raw',
    ],
    rows: results
      .filter((r) => r.concurrency === concurrency)
      .map((r) => [
        r.name,
        r.api.requests,
        r.api.errors,
        round(r.api.p50Ms, 2),
        round(r.api.p99Ms, 2),
        `${r.rawLabel}: ${stepText(r)}`,
        round(r.rawLimitMs, 2),
        round(r.raw.p99Ms, 2),
        round(r.ratio, 2),
      ]),
  };
}

const findingOf = (r: PathResult) =>
  `${r.name}, ${r.concurrency}-way: API p50 ${round(r.api.p50Ms, 2)} ms (p99 ${round(r.api.p99Ms, 2)}) against ${round(r.rawLimitMs, 2)} ms of raw requests (${stepText(r)}): ${round(r.ratio, 2)} × (target ≤ ${PATH_RATIO_TARGET}); the edge and the handler add ${round(r.api.p50Ms - r.rawLimitMs, 2)} ms at p50. CPU ms per request (bench, platform child, DynamoDB Local): API ${Object.values(r.cpuMsPerRequest.api).join(', ')}; raw ${Object.values(r.cpuMsPerRequest.raw).join(', ')}.${r.api.errors || r.raw.errors ? ` Errors: API ${r.api.errors}, raw ${r.raw.errors}${r.raw.firstError ? ` (${r.raw.firstError})` : ''}.` : ''}`;

function resultOf(results: PathResult[], modelVersion: string, options: BenchOptions): SectionResult {
  // The target is on latency alone: under concurrency the raw side's own SDK work in this process (≈ 1 ms CPU per
  // request) queues too, which flatters the ratio.
  const targets: Target[] = results
    .filter((r) => r.concurrency === 1)
    .map((r) => ({
      name: `${r.name}, ${r.concurrency}-way: API p50 / raw p50s`,
      target: `≤ ${PATH_RATIO_TARGET}`,
      actual: `${round(r.ratio, 2)} (${round(r.api.p50Ms, 2)} / ${round(r.rawLimitMs, 2)} ms)`,
      pass: r.ratio <= PATH_RATIO_TARGET,
    }));
  const levels = concurrencies(options);
  return {
    method: [
      `The platform child (as the api section's) serves a recommendation model trained at the start of the section on the demo catalog's history (\`${modelVersion}\`); the insights endpoint has no model (as in tests and benchmarks: the segment lookup fails, its breaker opens, and the answer goes on without one). One shopper registers, places a 3-product order (waited for until CONFIRMED and in their purchase history) and puts 3 other products in their cart.`,
      `Each route: autocannon with ${levels.join(', then ')} connection(s), limit=${LIMIT} for recommendations; the raw side: as many loops running the chain of SDK requests the handler cannot do without, timed per step, from this process. 1-way is latency alone, and what the targets are on; ${options.connections}-way adds queueing on both sides, this process's included (its SDK requests cost ≈ 1 ms CPU each), so its ratio is shown, not targeted. ${options.warmup} s warm-up per side, then ${options.duration} s per side in ${options.rounds} alternating slices. p50/p99 nearest-rank, 2xx only.`,
      "The raw limit is the sum of the steps' p50s (for recommendations: model p50 + one catalog BatchGetItem of the candidates the model returned — the k the function asks for, 2 × limit); the target is API p50 ≤ 3 × it.",
    ],
    targets,
    tables: levels.map((c) => tableOf(results, c, options)),
    findings: results.map(findingOf),
    data: { concurrencies: levels, modelVersion, paths: results },
  };
}

export const pathsSection: Section = {
  id: 'paths',
  title: 'Request paths: recommendations, cart and order reads against their raw requests',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const options = { ...ctx.options, rounds: Math.max(1, ctx.options.rounds) };
    const work = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-bench-paths-'));
    ctx.defer(() => rmSync(work, { recursive: true, force: true }));
    const { modelDir, version } = await trainDemoModel(ctx, work);
    const t = await startPathsTarget(ctx, modelDir);
    const specs = pathSpecs(t);
    for (const spec of specs) await probe(t, spec);
    const results: PathResult[] = [];
    for (const concurrency of concurrencies(options))
      for (const spec of specs)
        results.push(figuresOf(spec, concurrency, await measurePath(ctx, t, spec, options, concurrency)));
    return resultOf(results, version, options);
  },
};
