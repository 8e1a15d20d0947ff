/**
 * Section 2: what the local HTTP edge and a handler cost on top of the DynamoDB call they make.
 * GET /v1/products/{id} under autocannon against the same GetItem, same table, same concurrency, sent
 * straight from this process through @aws-sdk/lib-dynamodb. The platform runs in a child process
 * (test/bench/platform-child.ts) so the load generator does not share its event loop.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { cpuMeter, startPlatformChild, type CpuUse } from './platform-process';
import {
  comparisonTable,
  type BenchContext,
  type BenchOptions,
  type Section,
  type SectionResult,
  type Table,
} from './report';
import { loadChain } from './paths-load';
import { percentile, round } from './stats';
import type { Peer } from './peer-offline';
import { peerMethod, peerReport, PEER_RATIO_TARGET, tryStartPeer } from './peer';

export const RATIO_TARGET = 0.5;

interface LoadFigures {
  requests: number;
  errors: number;
  elapsedS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  latencyMs: number[];
  extra?: Record<string, unknown>;
}

const summarize = (
  requests: number,
  errors: number,
  elapsedS: number,
  latencyMs: number[],
  extra?: Record<string, unknown>,
): LoadFigures => ({
  requests,
  errors,
  elapsedS,
  rps: requests / elapsedS,
  p50Ms: percentile(latencyMs, 50),
  p99Ms: percentile(latencyMs, 99),
  latencyMs,
  extra,
});

/** autocannon against the API; latencies are taken from its per-response event (sub-ms), 2xx only. */
async function loadApi(url: string, connections: number, duration: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  let non2xx = 0;
  const t0 = performance.now();
  const instance = autocannon({ url, connections, duration, pipelining: 1, timeout: 10 });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else non2xx++;
  });
  const result = await instance;
  const elapsedS = (performance.now() - t0) / 1000;
  return summarize(latencies.length, non2xx + result.errors + result.timeouts, elapsedS, latencies, {
    autocannon: {
      rpsAverage: result.requests.average,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
  });
}

/** `connections` loops, each awaiting one GetItem after another until the deadline (the paths section's loop). */
async function loadRaw(
  doc: DynamoDBDocumentClient,
  table: string,
  id: string,
  connections: number,
  duration: number,
): Promise<LoadFigures> {
  const getItem = async () => {
    const { Item } = await doc.send(new GetCommand({ TableName: table, Key: { id } }));
    if (!Item) throw new Error('item not found');
    return {};
  };
  const { latencyMs, errors, elapsedS, firstError } = await loadChain(getItem, connections, duration);
  return summarize(latencyMs.length, errors, elapsedS, latencyMs, firstError ? { firstError } : undefined);
}
const combine = (parts: LoadFigures[]): LoadFigures => {
  const latencies = parts.flatMap((p) => p.latencyMs);
  const firstError = parts.map((p) => p.extra?.firstError).find(Boolean);
  return summarize(
    parts.reduce((n, p) => n + p.requests, 0),
    parts.reduce((n, p) => n + p.errors, 0),
    parts.reduce((n, p) => n + p.elapsedS, 0),
    latencies,
    firstError ? { firstError } : undefined,
  );
};

/** The platform child up, a seeded product's URL that answers, and a client of the same DynamoDB Local. */
async function startTarget(ctx: BenchContext) {
  ctx.log('api: starting the local platform in a child process');
  const s0 = performance.now();
  const { info, child } = await startPlatformChild(ctx, { label: 'api' });
  const startupS = (performance.now() - s0) / 1000;
  ctx.log(
    `api: platform up in ${startupS.toFixed(1)} s at ${info.apiUrl} (child ${child.pid}, emulators ${info.pids.join(', ')})`,
  );

  const listing = await fetch(`${info.apiUrl}/v1/products?limit=1`);
  if (listing.status !== 200)
    throw new Error(`GET /v1/products?limit=1 answered ${listing.status}: ${await listing.text()}`);
  const id = ((await listing.json()) as { items: { id: string }[] }).items[0]?.id;
  if (!id) throw new Error('the seeded catalog has no active product');
  const url = `${info.apiUrl}/v1/products/${encodeURIComponent(id)}`;
  const probe = await fetch(url);
  const probeBody = await probe.text();
  if (probe.status !== 200) throw new Error(`GET ${url} answered ${probe.status}: ${probeBody}`);

  const client = new DynamoDBClient({
    region: info.region,
    endpoint: info.dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  ctx.defer(() => client.destroy());
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // The JVM and the platform child share the cores with this process: CPU seconds show who was busy.
  const cpu = cpuMeter({ platformChild: child.pid!, dynamodbLocal: info.pids[0] });
  return { info, startupS, id, url, doc, table: info.tableNames.products, cpu };
}
type LoadTarget = Awaited<ReturnType<typeof startTarget>>;

type Side = 'api' | 'raw' | 'peer';

const loadSide = (side: Side, t: LoadTarget, connections: number, seconds: number, peer?: Peer) =>
  side === 'api'
    ? loadApi(t.url, connections, seconds)
    : side === 'peer'
      ? loadApi(`${peer!.url}${new URL(t.url).pathname}`, connections, seconds)
      : loadRaw(t.doc, t.table, t.id, connections, seconds);

const noCpu = (): CpuUse => ({ bench: 0, platformChild: 0, dynamodbLocal: 0 });

/**
 * Alternate short slices (API, raw, raw, API, …) rather than one long run each: on a shared machine a
 * burst of outside load then lands on both sides alike instead of skewing the ratio.
 */
async function measureAlternating(
  ctx: BenchContext,
  t: LoadTarget,
  { connections, duration, rounds }: BenchOptions,
  peer?: Peer,
) {
  const cpuUsed: Record<Side, CpuUse> = { api: noCpu(), raw: noCpu(), peer: noCpu() };
  const slices: Record<Side, LoadFigures[]> = { api: [], raw: [], peer: [] };
  // The peer's side counts serverless-offline's process where the others count the platform child.
  const peerCpu = peer && cpuMeter({ platformChild: peer.pid, dynamodbLocal: t.info.pids[0] });
  const roundRatios: number[] = [];
  const slice = duration / rounds;
  ctx.log(`api: ${rounds} rounds of ${slice} s per side, ${connections} connections / concurrent loops`);
  for (let r = 0; r < rounds; r++) {
    const sides: Side[] = peer ? ['api', 'raw', 'peer'] : ['api', 'raw'];
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const meter = side === 'peer' ? peerCpu! : t.cpu;
      const a = meter.snapshot();
      const figures = await loadSide(side, t, connections, slice, peer);
      const used = meter.between(a, meter.snapshot());
      slices[side].push(figures);
      cpuUsed[side].bench += used.bench;
      cpuUsed[side].platformChild += used.platformChild;
      cpuUsed[side].dynamodbLocal += used.dynamodbLocal;
    }
    roundRatios.push(slices.api[r].rps / slices.raw[r].rps);
  }
  const peerFigures = peer ? combine(slices.peer) : undefined;
  return { slice, roundRatios, api: combine(slices.api), raw: combine(slices.raw), peer: peerFigures, slices, cpuUsed };
}
type Measured = Awaited<ReturnType<typeof measureAlternating>>;

/** Per process: share of one core over each side's measured time, CPU ms per request, and the CPU-cost ratio. */
function cpuFigures({ api, raw, cpuUsed }: Measured) {
  const cpu = (side: Side, load: LoadFigures) => {
    const seconds = cpuUsed[side];
    const describe = (name: string, s: number) =>
      `${name} ${round((100 * s) / load.elapsedS, 0)} % (${round((1000 * s) / Math.max(1, load.requests), 2)} ms/request)`;
    return {
      seconds,
      text: [
        describe('bench', seconds.bench),
        describe('platform child', seconds.platformChild),
        describe('DynamoDB Local', seconds.dynamodbLocal),
      ].join(', '),
    };
  };
  // All processes' CPU per request: what throughput would compare as on an otherwise idle, CPU-bound machine.
  const cpuMsPerRequest = (side: Side, load: LoadFigures) =>
    (1000 * (cpuUsed[side].bench + cpuUsed[side].platformChild + cpuUsed[side].dynamodbLocal)) /
    Math.max(1, load.requests);
  const cpuCost = { api: cpuMsPerRequest('api', api), raw: cpuMsPerRequest('raw', raw) };
  return { cpuApi: cpu('api', api), cpuRaw: cpu('raw', raw), cpuCost, cpuRatio: cpuCost.raw / cpuCost.api };
}
type CpuFigures = ReturnType<typeof cpuFigures>;

function findingsOf(
  { api, raw, roundRatios }: Measured,
  { cpuApi, cpuRaw, cpuCost, cpuRatio }: CpuFigures,
  connections: number,
) {
  const ratio = api.rps / raw.rps;
  const findings: string[] = [];
  findings.push(
    `API/raw = ${round(ratio, 2)} (target ≥ ${RATIO_TARGET}; per round ${roundRatios.map((x) => round(x, 2)).join(', ')}): through the edge (HTTP → API Gateway event → in-process handler) and the handler (middy, zod, SDK marshalling), a product read sustains ${round(100 * ratio, 0)} % of the requests/s of the bare GetItem it wraps, at ${connections}-way concurrency.`,
  );
  findings.push(`p50 added by edge + handler over raw GetItem: ${round(api.p50Ms - raw.p50Ms, 2)} ms.`);
  if (api.errors || raw.errors)
    findings.push(
      `Errors: API ${api.errors} (non-2xx, socket errors or timeouts), raw ${raw.errors}${typeof raw.extra?.firstError === 'string' ? ` (first: ${raw.extra.firstError})` : ''}.`,
    );
  findings.push(
    `CPU cost per request, all three processes: API ${round(cpuCost.api, 2)} ms, raw ${round(cpuCost.raw, 2)} ms; their inverse ratio, ${round(cpuRatio, 2)}, is a second estimate of the ratio (the one to expect when CPU-bound on an otherwise idle machine) that does not depend on how much CPU time other processes left this run.`,
  );
  findings.push(
    `CPU during the API run: ${cpuApi.text}. During the raw run: ${cpuRaw.text}. (100 % = one core; this machine has ${os.cpus().length}.) When the shares add up to the core count, throughput is CPU-bound and the ratio is a ratio of CPU cost per request.`,
  );
  return findings;
}

function methodOf(t: LoadTarget, m: Measured, { connections, duration, warmup, rounds }: BenchOptions): string[] {
  const { info, startupS, id, table } = t;
  const { slice } = m;
  return [
    `The platform (startPlatform: DynamoDB Local, cognito-local, HTTP edge; free ports, temp dataDir, persist false, seed 'demo') runs in a child process (\`node --import tsx test/bench/platform-child.ts\`, its own process group); load is generated in this process. Startup took ${round(startupS)} s; ${info.seeded.products} products seeded.`,
    `Product id from GET /v1/products?limit=1 (\`${id}\`). API: autocannon, ${connections} connections, pipelining 1, GET /v1/products/{id}. Raw: ${connections} concurrent loops, each awaiting GetCommand (@aws-sdk/lib-dynamodb, the adapter's request) on table \`${table}\` at ${info.dynamoEndpoint}, region ${info.region}, credentials local/local.`,
    `Both sides: ${warmup} s unrecorded warm-up first; requests/s = successful responses / measured elapsed time; p50/p99 nearest-rank over every successful request's latency (API latencies from autocannon's per-response event, not its 1-ms histogram).`,
    `Each side gets ${duration} s in ${rounds} alternating slices of ${slice} s (API, raw; then raw, API; …), never both at once: outside load on this shared machine falls on both sides alike. Compare the ratio, not absolute figures. CPU time per process from /proc/<pid>/stat (platform child, JVM) and process.cpuUsage() (this process) around each slice.`,
  ];
}

function tableOf({ api, raw }: Measured, { connections, duration, rounds }: BenchOptions): Table {
  return comparisonTable(
    `GET /v1/products/{id} vs GetItem, ${connections}-way concurrency, ${duration} s each (${rounds} alternating slices)`,
    'requests',
    { ...api, label: 'API (autocannon → edge → handler → DynamoDB Local)', answered: api.requests, perS: api.rps },
    { ...raw, label: 'raw GetItem (lib-dynamodb → DynamoDB Local)', answered: raw.requests, perS: raw.rps },
    'ratio API / raw',
  );
}

export const apiSection: Section = {
  id: 'api',
  title: 'Local API: GET /v1/products/{id} vs raw DynamoDB GetItem, and vs serverless-offline',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const options = { ...ctx.options, rounds: Math.max(1, ctx.options.rounds) };
    const { connections, duration, warmup, rounds } = options;
    const t = await startTarget(ctx);
    const { peer, error: peerError } = await tryStartPeer(
      ctx,
      { env: t.info.env, region: t.info.region },
      new URL(t.url).pathname,
    );
    if (warmup > 0) {
      ctx.log(`api: warm-up ${warmup} s per side`);
      for (const side of ['api', 'raw', ...(peer ? ['peer' as const] : [])] as Side[])
        await loadSide(side, t, connections, warmup, peer);
    }
    const m = await measureAlternating(ctx, t, options, peer);
    const { api, raw, roundRatios, slices } = m;
    const ratio = api.rps / raw.rps;
    const cpu = cpuFigures(m);
    const versus = peer && m.peer ? peerReport(peer, api, m.peer, m.cpuUsed, connections) : undefined;
    return {
      method: [...methodOf(t, m, options), peerMethod(peer, peerError)],
      targets: [
        {
          name: 'api_rps / raw_getitem_rps',
          target: `≥ ${RATIO_TARGET}`,
          actual: String(round(ratio, 2)),
          pass: ratio >= RATIO_TARGET,
        },
        versus?.target ?? {
          name: 'edge requests/s / serverless-offline requests/s (GET /v1/products/{id})',
          target: `≥ ${PEER_RATIO_TARGET}`,
          actual: 'not measured',
          pass: false,
        },
      ],
      tables: [tableOf(m, options), ...(versus ? [versus.table] : [])],
      findings: [...findingsOf(m, cpu, connections), ...(versus?.findings ?? [])],
      data: {
        productId: t.id,
        platformStartupS: t.startupS,
        connections,
        durationS: duration,
        rounds,
        roundRatios,
        slices: {
          api: slices.api.map((x) => ({ ...x, latencyMs: undefined })),
          raw: slices.raw.map((x) => ({ ...x, latencyMs: undefined })),
          peer: slices.peer.map((x) => ({ ...x, latencyMs: undefined })),
        },
        warmupS: warmup,
        api: { ...api, latencyMs: undefined, cpuSeconds: cpu.cpuApi.seconds },
        raw: { ...raw, latencyMs: undefined, cpuSeconds: cpu.cpuRaw.seconds },
        ratio,
        cpuMsPerRequest: cpu.cpuCost,
        cpuCostRatio: cpu.cpuRatio,
        peer: versus?.data ?? { error: peerError },
      },
    };
  },
};
