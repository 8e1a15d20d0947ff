/**
 * Section: search on the local substrate, on the real catalog (the platform child seeds the Online Retail dataset;
 * the demo catalog where it is absent, and the report says so).
 * 1. Queries: GET /v1/search under autocannon at N-way concurrency, cycling through the relevance set's typo'd
 *    queries, against the engine's own `_search` for the same queries in the same run — the bodies the handler
 *    sends (functions/search/domain/query.ts), through the same OpenSearch client, signed the same way. The ratio
 *    is what the edge and the handler keep of the engine's throughput.
 * 2. Freshness: a product renamed through PUT /v1/products/{id} (a new word in its name), then GET /v1/search for
 *    that word until the product is the hit: the products stream, the indexer, the engine's refresh.
 * 3. Relevance: mean precision@10 of the relevance set (test/support/search-relevance.ts) through the API.
 * 4. Type-ahead: GET /v1/search/suggest for every prefix of each relevance query, one request after another, as a
 *    shopper's keystrokes send them.
 * 5. Full reindex of the catalog (functions/search/domain/reindex.ts, what `npm run search:reindex` runs): a new
 *    index loaded from a scan of the products table, the alias swapped, a catch-up pass, the old index deleted.
 */
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import { DynamoProductRepository } from '../../functions/catalog/adapters/dynamo-products';
import { RepositoryCatalogProducts } from '../../functions/search/adapters/catalog-products';
import { openSearchClient } from '../../functions/search/adapters/opensearch-client';
import { QUERY_TUNING, WRITE_TUNING } from '../../functions/search/adapters/opensearch-connection';
import { OpenSearchProductIndex } from '../../functions/search/adapters/opensearch-index';
import { canRelax, searchBody } from '../../functions/search/domain/query';
import { SIGNAL_TIMEOUT_MS } from '../../functions/search/domain/search';
import { OLD_INDEX_GRACE_MS, reindex, type LoadProgress } from '../../functions/search/domain/reindex';
import { PRODUCTS_ALIAS } from '../../functions/search/index-definition';
import { SearchQuery } from '../../functions/search/schemas';
import { loadSeedCatalog } from '@ecicomm/local-platform/seed/catalog-source';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { measureRelevance, RELEVANCE_QUERIES, type RelevanceReport } from '../support/search-relevance';
import { apiClient } from './api-client';
import type { ChildPlatformInfo } from './platform-info';
import { cpuSeconds, startPlatformChild } from './platform-process';
import {
  comparisonTable,
  type BenchContext,
  type BenchOptions,
  type Section,
  type SectionResult,
  type Table,
  type Target,
} from './report';
import { percentile, round } from './stats';

export const SEARCH_RATIO_TARGET = 0.5;
export const FRESHNESS_TARGET_S = 5;
export const FRESHNESS_AIM_S = 1;
export const PRECISION_TARGET = 0.9;
/**
 * "Well under the time a keystroke takes": a fast typist (120 words a minute) leaves about 100 ms between keys, so
 * a suggestion must come back within that for every key, not only on average.
 */
export const SUGGEST_P99_TARGET_MS = 100;
const SUGGESTIONS = 8;
/** Product writes timed one after another. */
const FRESHNESS_SAMPLES = 40;
/** How often a freshness probe searches for the new word. */
const FRESHNESS_POLL_MS = 10;
const FRESHNESS_GIVE_UP_MS = 30_000;
const RESULTS = 10;
/** What the search handler logs (WARN) when the clickstream does not take its `search` event in time. */
const SIGNAL_TIMED_OUT = 'search event not written in time';

interface LoadFigures {
  /** Queries answered (2xx); on the raw side a query is the engine requests the handler would make for it. */
  queries: number;
  errors: number;
  elapsedS: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  latencyMs: number[];
  firstError?: string;
}

const summarize = (latencyMs: number[], errors: number, elapsedS: number, firstError?: string): LoadFigures => ({
  queries: latencyMs.length,
  errors,
  elapsedS,
  qps: latencyMs.length / elapsedS,
  p50Ms: percentile(latencyMs, 50),
  p99Ms: percentile(latencyMs, 99),
  latencyMs,
  firstError,
});

const combine = (parts: LoadFigures[]): LoadFigures =>
  summarize(
    parts.flatMap((p) => p.latencyMs),
    parts.reduce((n, p) => n + p.errors, 0),
    parts.reduce((n, p) => n + p.elapsedS, 0),
    parts.map((p) => p.firstError).find(Boolean),
  );

const queryPath = (q: string) => `/v1/search?${new URLSearchParams({ q, limit: String(RESULTS) })}`;

/** autocannon, each connection cycling through the queries; latencies from its per-response event, 2xx only. */
async function loadEdge(apiUrl: string, connections: number, duration: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const instance = autocannon({
    url: apiUrl,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
    requests: RELEVANCE_QUERIES.map((q) => ({ method: 'GET', path: queryPath(q.query) })),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else failed++;
  });
  const result = await instance;
  return summarize(latencies, failed + result.errors + result.timeouts, (performance.now() - t0) / 1000);
}

/** What the handler asks the engine for one query: the `and` search, then the `or` one when `and` found nothing. */
interface EngineQuery {
  first: ReturnType<typeof searchBody>;
  relaxed?: ReturnType<typeof searchBody>;
}

async function planEngineQueries(client: Client): Promise<EngineQuery[]> {
  const plans: EngineQuery[] = [];
  for (const q of RELEVANCE_QUERIES) {
    const input = SearchQuery.parse({ q: q.query, limit: String(RESULTS) });
    const first = searchBody(input, 'and');
    const { body } = await client.search({ index: PRODUCTS_ALIAS, body: first as never });
    const total = (body as { hits: { total: { value: number } } }).hits.total.value;
    plans.push(canRelax(input, 'and', total) ? { first, relaxed: searchBody(input, 'or') } : { first });
  }
  return plans;
}

/** `connections` loops, each sending the next query's engine requests and awaiting them, until the deadline. */
async function loadEngine(
  client: Client,
  plans: EngineQuery[],
  connections: number,
  duration: number,
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + duration * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const plan = plans[next++ % plans.length];
      const s = performance.now();
      try {
        await client.search({ index: PRODUCTS_ALIAS, body: plan.first as never });
        if (plan.relaxed) await client.search({ index: PRODUCTS_ALIAS, body: plan.relaxed as never });
        latencies.push(performance.now() - s);
      } catch (e) {
        errors++;
        firstError ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return summarize(latencies, errors, (performance.now() - t0) / 1000, firstError);
}

/** A word no product has: ten random letters. */
const freshWord = () => Array.from({ length: 10 }, () => String.fromCharCode(97 + randomInt(26))).join('');

interface FreshnessSample {
  productId: string;
  /** From sending the PUT to the search that first returned the product. */
  fromWriteMs: number;
  /** From the PUT's 200 to the same. */
  fromAcknowledgedMs: number;
  searches: number;
}

async function measureFreshness(ctx: BenchContext, info: ChildPlatformInfo): Promise<FreshnessSample[]> {
  const api = apiClient(info.apiUrl).ok;
  const { idToken } = await api<{ idToken: string }>('/v1/auth/login', { method: 'POST', body: info.admin });
  const { items } = await api<{ items: { id: string }[] }>(`/v1/products?limit=${FRESHNESS_SAMPLES}`);
  const samples: FreshnessSample[] = [];
  for (const { id } of items) {
    const product = await api<{ id: string; name: string; version: number }>(`/v1/products/${encodeURIComponent(id)}`);
    const word = freshWord();
    const t0 = performance.now();
    await api(`/v1/products/${encodeURIComponent(id)}`, {
      method: 'PUT',
      token: idToken,
      body: { version: product.version, name: `${product.name} ${word}`.slice(0, 200) },
    });
    const acknowledged = performance.now();
    let searches = 0;
    for (;;) {
      searches++;
      const { items: hits } = await api<{ items: { id: string }[] }>(
        `/v1/search?${new URLSearchParams({ q: word, limit: '1' })}`,
      );
      if (hits[0]?.id === id) break;
      if (performance.now() - t0 > FRESHNESS_GIVE_UP_MS)
        throw new Error(`product ${id} renamed with "${word}" not searchable after ${FRESHNESS_GIVE_UP_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, FRESHNESS_POLL_MS));
    }
    const visible = performance.now();
    samples.push({ productId: id, fromWriteMs: visible - t0, fromAcknowledgedMs: visible - acknowledged, searches });
  }
  ctx.log(
    `search: freshness over ${samples.length} writes, p50 ${round(
      percentile(
        samples.map((s) => s.fromWriteMs),
        50,
      ),
    )} ms`,
  );
  return samples;
}

type TypeAhead = Awaited<ReturnType<typeof measureTypeAhead>>;

/** Every prefix of every relevance query (typos and all), sent one after another as keystrokes would send them. */
async function measureTypeAhead(
  ctx: BenchContext,
  info: ChildPlatformInfo,
): Promise<{ requests: number; latencyMs: number[]; empty: number }> {
  const api = apiClient(info.apiUrl).ok;
  const latencyMs: number[] = [];
  let empty = 0;
  for (const { query } of RELEVANCE_QUERIES) {
    for (let typed = 1; typed <= query.length; typed++) {
      const prefix = query.slice(0, typed);
      if (prefix.endsWith(' ')) continue;
      const t0 = performance.now();
      const { items } = await api<{ items: unknown[] }>(
        `/v1/search/suggest?${new URLSearchParams({ q: prefix, limit: String(SUGGESTIONS) })}`,
      );
      latencyMs.push(performance.now() - t0);
      if (items.length === 0) empty++;
    }
  }
  ctx.log(`search: type-ahead over ${latencyMs.length} keystrokes, p99 ${round(percentile(latencyMs, 99))} ms`);
  return { requests: latencyMs.length, latencyMs, empty };
}

interface ReindexFigures {
  index: string;
  previous: string[];
  indexed: number;
  read: number;
  failures: number;
  totalS: number;
  loadS: number;
  catchUpS: number;
  /** The pause before the old index is deleted, so that searches already sent to it finish. */
  graceS: number;
}

/** The reindex with the same deps `npm run search:reindex` builds, pointed at the child's table and engine. */
async function runReindex(
  info: ChildPlatformInfo,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<ReindexFigures> {
  const dynamo = new DynamoDBClient({ region: info.region, endpoint: info.dynamoEndpoint, credentials });
  const client = openSearchClient(
    { OPENSEARCH_ENDPOINT: info.search.endpoint, OPENSEARCH_SIGNING_SERVICE: 'es', AWS_REGION: info.region },
    WRITE_TUNING,
    credentials,
  );
  const table = info.tableNames.products;
  const marks: Partial<Record<LoadProgress['pass'] | 'catchUpDone', number>> = {};
  try {
    const index = new OpenSearchProductIndex(client);
    const catalog = new RepositoryCatalogProducts(
      new DynamoProductRepository(DynamoDBDocumentClient.from(dynamo), table),
      dynamo,
      table,
    );
    const t0 = performance.now();
    let graceS = 0;
    const summary = await reindex(
      {
        index,
        catalog,
        clock: { now: () => new Date() },
        sleep: async (ms) => {
          marks.catchUpDone = performance.now();
          graceS = ms / 1000;
          await new Promise((r) => setTimeout(r, ms));
        },
      },
      { onProgress: (p) => void (marks[p.pass] ??= performance.now()), graceMs: OLD_INDEX_GRACE_MS },
    );
    const end = performance.now();
    const catchUpStart = marks['catch-up'] ?? end;
    return {
      index: summary.index,
      previous: summary.previous,
      indexed: summary.load.indexed,
      read: summary.load.read,
      failures: summary.load.failures.length + summary.catchUp.failures.length,
      totalS: (end - t0) / 1000,
      loadS: (catchUpStart - t0) / 1000,
      catchUpS: ((marks.catchUpDone ?? end) - catchUpStart) / 1000,
      graceS,
    };
  } finally {
    await client.close();
    dynamo.destroy();
  }
}

/** The platform child seeded with the catalog; counts, while told to, the searches that waited out their clickstream event. */
async function startSearchPlatform(ctx: BenchContext) {
  ctx.log('search: starting the local platform with the real catalog in a child process');
  const s0 = performance.now();
  // Counted while the edge is measured: searches that waited the whole SIGNAL_TIMEOUT_MS for their clickstream event.
  const signals = { counting: false, timedOut: 0, carry: '' };
  const onStderr = (chunk: string) => {
    const lines = (signals.carry + chunk).split('\n');
    signals.carry = lines.pop() ?? '';
    if (signals.counting) signals.timedOut += lines.filter((l) => l.includes(SIGNAL_TIMED_OUT)).length;
  };
  const { info, child } = await startPlatformChild(ctx, {
    label: 'search',
    env: { BENCH_SEED: 'dataset' },
    onStderr,
  });
  const startupS = (performance.now() - s0) / 1000;
  const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
  const catalog = await loadSeedCatalog({ datasetDir: info.seeded.source === 'dataset' ? datasetDir : undefined });
  ctx.log(
    `search: platform up in ${startupS.toFixed(1)} s, ${info.seeded.products} products (${info.seeded.source}), index ${info.search.index}`,
  );
  const api = apiClient(info.apiUrl).ok;
  const browse = await api<{ total: number }>('/v1/search?limit=1');
  if (browse.total !== catalog.products.length)
    throw new Error(`the index holds ${browse.total} products, the catalog ${catalog.products.length}`);
  return { info, child, startupS, datasetDir, catalog, signals, api };
}
type SearchPlatform = Awaited<ReturnType<typeof startSearchPlatform>>;

/** The engine's own client, signed with the run's credentials as the handler's is. */
function engineClient(ctx: BenchContext, info: ChildPlatformInfo) {
  const credentials = { accessKeyId: info.env.AWS_ACCESS_KEY_ID, secretAccessKey: info.env.AWS_SECRET_ACCESS_KEY };
  const client = openSearchClient(
    { OPENSEARCH_ENDPOINT: info.search.endpoint, OPENSEARCH_SIGNING_SERVICE: 'es', AWS_REGION: info.region },
    QUERY_TUNING,
    credentials,
  );
  ctx.defer(() => client.close());
  return { client, credentials };
}

type Side = 'edge' | 'engine';

/** Query load: the same queries through the edge and straight to the engine, in alternating slices. */
async function measureQueryLoad(ctx: BenchContext, options: BenchOptions, p: SearchPlatform, client: Client) {
  const { connections, duration, warmup, rounds } = options;
  const { info, child, signals } = p;
  const plans = await planEngineQueries(client);
  const relaxed = plans.filter((p) => p.relaxed).length;
  if (warmup > 0) {
    ctx.log(`search: warm-up ${warmup} s per side`);
    await loadEdge(info.apiUrl, connections, warmup);
    await loadEngine(client, plans, connections, warmup);
  }
  const slices: Record<Side, LoadFigures[]> = { edge: [], engine: [] };
  const cpu = { edge: { bench: 0, platformChild: 0 }, engine: { bench: 0, platformChild: 0 } };
  const roundRatios: number[] = [];
  const slice = duration / rounds;
  ctx.log(`search: ${rounds} rounds of ${slice} s per side, ${connections} connections / concurrent loops`);
  for (let r = 0; r < rounds; r++) {
    for (const side of (r % 2 === 0 ? ['edge', 'engine'] : ['engine', 'edge']) as Side[]) {
      const before = { child: cpuSeconds(child.pid!) ?? 0, self: process.cpuUsage() };
      signals.counting = side === 'edge';
      slices[side].push(
        side === 'edge'
          ? await loadEdge(info.apiUrl, connections, slice)
          : await loadEngine(client, plans, connections, slice),
      );
      // The child's last lines of the slice arrive a moment after its last answer.
      await new Promise((r) => setTimeout(r, 200));
      signals.counting = false;
      const self = process.cpuUsage(before.self);
      cpu[side].bench += (self.user + self.system) / 1e6;
      cpu[side].platformChild += (cpuSeconds(child.pid!) ?? 0) - before.child;
    }
    roundRatios.push(slices.edge[r].qps / slices.engine[r].qps);
  }
  const edge = combine(slices.edge);
  const engine = combine(slices.engine);
  const ratio = edge.qps / engine.qps;
  return { plans, relaxed, cpu, roundRatios, edge, engine, ratio };
}
type QueryLoad = Awaited<ReturnType<typeof measureQueryLoad>>;

/** What the report is made of, under the names it uses. */
function reportValues(
  options: BenchOptions,
  p: SearchPlatform,
  relevance: RelevanceReport,
  typeAhead: TypeAhead,
  load: QueryLoad,
  freshness: FreshnessSample[],
  rebuilt: ReindexFigures,
  after: { total: number },
) {
  const fromWrite = freshness.map((s) => s.fromWriteMs);
  const cpuMs = (side: Side, figures: LoadFigures) =>
    (1000 * (load.cpu[side].bench + load.cpu[side].platformChild)) / Math.max(1, figures.queries);
  return {
    ...options,
    info: p.info,
    startupS: p.startupS,
    datasetDir: p.datasetDir,
    catalog: p.catalog,
    signals: p.signals,
    relevance,
    typeAhead,
    suggestP99: percentile(typeAhead.latencyMs, 99),
    ...load,
    freshness,
    fromWrite,
    fromAck: freshness.map((s) => s.fromAcknowledgedMs),
    freshP99S: percentile(fromWrite, 99) / 1000,
    rebuilt,
    after,
    cpuMs,
    cpuRatio: cpuMs('engine', load.engine) / cpuMs('edge', load.edge),
  };
}
type ReportValues = ReturnType<typeof reportValues>;

function targetsOf(v: ReportValues): Target[] {
  const { relevance, suggestP99, ratio, freshP99S } = v;
  return [
    {
      name: 'edge_qps / engine_search_qps',
      target: `≥ ${SEARCH_RATIO_TARGET}`,
      actual: String(round(ratio, 2)),
      pass: ratio >= SEARCH_RATIO_TARGET,
    },
    {
      name: 'freshness p99 (PUT /v1/products → searchable)',
      target: `≤ ${FRESHNESS_TARGET_S} s (aim ≤ ${FRESHNESS_AIM_S} s)`,
      actual: `${round(freshP99S, 2)} s`,
      pass: freshP99S <= FRESHNESS_TARGET_S,
    },
    {
      name: 'type-ahead p99 (GET /v1/search/suggest, each keystroke)',
      target: `< ${SUGGEST_P99_TARGET_MS} ms`,
      actual: `${round(suggestP99, 1)} ms`,
      pass: suggestP99 < SUGGEST_P99_TARGET_MS,
    },
    {
      name: "mean precision@10, typo'd queries",
      target: `≥ ${PRECISION_TARGET}`,
      actual: String(round(relevance.meanPrecisionAt10, 3)),
      pass: relevance.meanPrecisionAt10 >= PRECISION_TARGET,
    },
  ];
}

function findingsOf(v: ReportValues): string[] {
  const {
    connections,
    rounds,
    info,
    datasetDir,
    catalog,
    signals,
    relevance,
    typeAhead,
    suggestP99,
    plans,
    relaxed,
    roundRatios,
    edge,
    engine,
    ratio,
    freshness,
    fromWrite,
    fromAck,
    rebuilt,
    after,
    cpuRatio,
  } = v;
  const { cpuMs } = v;
  const perQuery = (side: Side, load: LoadFigures) => `${round(cpuMs(side, load), 2)} ms`;
  const findings = [
    `Edge/engine = ${round(ratio, 2)} (target ≥ ${SEARCH_RATIO_TARGET}; per round ${roundRatios.map((x) => round(x, 2)).join(', ')}): GET /v1/search (HTTP edge → API Gateway event → handler: zod, the engine request(s), the answer's mapping, the clickstream \`search\` event) keeps ${round(100 * ratio, 0)} % of the query rate the engine sustains for the same queries at ${connections}-way concurrency.`,
    `p50 added by edge + handler: ${round(edge.p50Ms - engine.p50Ms, 2)} ms (edge ${round(edge.p50Ms, 2)}, engine ${round(engine.p50Ms, 2)}). CPU per query, bench + platform child: edge ${perQuery('edge', edge)}, engine ${perQuery('engine', engine)} — their inverse ratio, ${round(cpuRatio, 2)}, is what the ratio would be on one core. The engine has a thread of its own in the platform child (as a domain has nodes of its own), so through the edge it scores while the main thread runs the edge, the handler and the stream pollers; the bench's load generator shares the machine's cores with both.`,
    `${signals.timedOut} searches waited the whole ${SIGNAL_TIMEOUT_MS} ms the handler gives the clickstream to take its \`search\` event (kinesalite, in the platform's process) and answered without it (the handler's WARN, counted from the child's log during the edge slices: the ${edge.queries} measured searches and up to ${connections} still in flight as each of the ${rounds} slices ended).${signals.timedOut > edge.queries / 5 ? " The clickstream write, not the engine, sets much of the edge's latency here: in a closed loop, throughput is concurrency ÷ latency." : ''}`,
    `${relaxed} of the ${plans.length} queries find nothing with every word and are asked again with any word (the handler's relaxation): the engine side sends both requests for them too.`,
    `Freshness over ${freshness.length} writes one after another: from sending PUT /v1/products/{id} to the first search that returns the product p50 ${round(percentile(fromWrite, 50))} ms, p99 ${round(percentile(fromWrite, 99))} ms, max ${round(Math.max(...fromWrite))} ms; from the PUT's 200, p50 ${round(percentile(fromAck, 50))} ms, p99 ${round(percentile(fromAck, 99))} ms (polling every ${FRESHNESS_POLL_MS} ms through GET /v1/search).`,
    `Relevance: mean P@10 ${round(relevance.meanPrecisionAt10, 3)} over ${relevance.applicable} typo'd queries; ${round(relevance.meanCorrectlySpeltPrecisionAt10, 3)} with the intended words spelt right.` +
      (relevance.foundNothing.length ? ` Found nothing: ${relevance.foundNothing.join(', ')}.` : '') +
      ` Below 1: ${
        relevance.queries
          .filter((q) => q.precisionAt10 !== undefined && q.precisionAt10 < 1)
          .map((q) => `${q.query} ${round(q.precisionAt10!, 2)}`)
          .join(', ') || 'none'
      }.`,
    `Type-ahead: ${typeAhead.requests} keystrokes (every prefix of the ${RELEVANCE_QUERIES.length} queries, one request after another, limit ${SUGGESTIONS}) answered in p50 ${round(percentile(typeAhead.latencyMs, 50), 1)} ms, p99 ${round(suggestP99, 1)} ms, max ${round(Math.max(...typeAhead.latencyMs), 1)} ms through the edge; ${typeAhead.empty} suggested nothing (prefixes whose typo comes before the 4th character, or that no name starts a word with).`,
    `Full reindex: ${rebuilt.indexed} products in ${round(rebuilt.totalS, 2)} s end to end = ${round(rebuilt.indexed / rebuilt.totalS, 0)} documents/s; the load pass alone ${round(rebuilt.loadS, 2)} s = ${round(rebuilt.indexed / rebuilt.loadS, 0)} documents/s; catch-up ${round(rebuilt.catchUpS, 2)} s; then ${rebuilt.graceS} s of grace before the old index (${rebuilt.previous.join(', ')}) was deleted. ${rebuilt.failures} not indexed; ${after.total} products searchable afterwards.`,
  ];
  if (edge.errors || engine.errors)
    findings.push(
      `Errors: edge ${edge.errors}, engine ${engine.errors}${engine.firstError ? ` (first: ${engine.firstError})` : ''}.`,
    );
  if (info.seeded.source !== 'dataset')
    findings.push(
      `The dataset is absent here (${datasetDir}): the figures are on the demo catalog (${catalog.products.length} products).`,
    );
  return findings;
}

function methodOf(v: ReportValues): string[] {
  const { connections, duration, warmup, rounds, info, startupS, datasetDir, catalog, relevance } = v;
  return [
    `The platform runs in a child process (test/bench/platform-child.ts, BENCH_SEED=dataset) seeded with the ${catalog.source === 'dataset' ? `Online Retail catalog (${catalog.products.length} products)` : `demo catalog (${catalog.products.length} products; no dataset at ${datasetDir})`}; its start loads the index (${info.search.index}). Startup took ${round(startupS)} s.`,
    `Queries: the ${RELEVANCE_QUERIES.length} typo'd queries of the relevance set, limit ${RESULTS}. Edge: autocannon, ${connections} connections, pipelining 1, each connection cycling through GET /v1/search?q=… for every query. Engine: ${connections} concurrent loops, each sending the next query's POST /${PRODUCTS_ALIAS}/_search with the body the handler builds (searchBody), and the relaxed body where the handler would send it, through the same OpenSearch client (SigV4 with the run's credentials).`,
    `Both sides: ${warmup} s unrecorded warm-up; ${duration} s each in ${rounds} alternating slices; queries/s = answered queries / measured time; p50/p99 nearest-rank over every answered query.`,
    `Freshness: ${FRESHNESS_SAMPLES} products, one after another, each renamed with a new random ten-letter word (PUT /v1/products/{id} as the local admin), then GET /v1/search?q=<word>&limit=1 every ${FRESHNESS_POLL_MS} ms until the product is the hit.`,
    `Relevance: test/support/search-relevance.ts (${relevance.rule}).`,
    `Type-ahead: GET /v1/search/suggest?q=<prefix>&limit=${SUGGESTIONS} for every prefix of each relevance query (a trailing space skipped), one request at a time with no other load, timed in this process from send to parsed answer.`,
    `Reindex: functions/search/domain/reindex.ts with the deps npm run search:reindex builds (the catalog's table scan in pages of 500, _bulk into a new concrete index, refresh, alias swap, catch-up pass, ${OLD_INDEX_GRACE_MS / 1000} s grace, old index deleted), run in this process against the child's DynamoDB Local and engine.`,
  ];
}

function loadAndFreshnessTables(v: ReportValues): Table[] {
  const { connections, duration, edge, engine, freshness, fromWrite, fromAck } = v;
  return [
    comparisonTable(
      `GET /v1/search vs the engine's _search, the same ${RELEVANCE_QUERIES.length} queries, ${connections}-way concurrency, ${duration} s each`,
      'queries',
      { ...edge, label: 'edge (autocannon → edge → handler → engine)', answered: edge.queries, perS: edge.qps },
      { ...engine, label: 'engine (OpenSearch client → engine _search)', answered: engine.queries, perS: engine.qps },
      'ratio edge / engine',
    ),
    {
      title: `Freshness: product write → searchable (${freshness.length} writes)`,
      columns: ['measured from', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      rows: [
        [
          'sending PUT /v1/products/{id}',
          round(percentile(fromWrite, 50)),
          round(percentile(fromWrite, 90)),
          round(percentile(fromWrite, 99)),
          round(Math.max(...fromWrite)),
        ],
        [
          "the PUT's 200",
          round(percentile(fromAck, 50)),
          round(percentile(fromAck, 90)),
          round(percentile(fromAck, 99)),
          round(Math.max(...fromAck)),
        ],
      ],
    },
  ];
}

function reindexAndRelevanceTables(v: ReportValues): Table[] {
  const { catalog, relevance, rebuilt } = v;
  return [
    {
      title: 'Full reindex of the catalog',
      columns: [
        'products',
        'total s',
        'documents/s (total)',
        'load pass s',
        'documents/s (load pass)',
        'catch-up s',
        'grace s',
      ],
      rows: [
        [
          rebuilt.indexed,
          round(rebuilt.totalS, 2),
          round(rebuilt.indexed / rebuilt.totalS, 0),
          round(rebuilt.loadS, 2),
          round(rebuilt.indexed / rebuilt.loadS, 0),
          round(rebuilt.catchUpS, 2),
          rebuilt.graceS,
        ],
      ],
    },
    {
      title: `Relevance: precision@10 per query (${catalog.source} catalog)`,
      columns: ['query', 'meant', 'typo', 'relevant', 'P@10', 'P@10 spelt right'],
      rows: relevance.queries.map((q) => [
        q.query,
        q.intended,
        q.typo,
        q.relevant,
        q.precisionAt10 === undefined ? 'n/a' : round(q.precisionAt10, 2),
        q.correctlySpeltPrecisionAt10 === undefined ? 'n/a' : round(q.correctlySpeltPrecisionAt10, 2),
      ]),
    },
  ];
}

/** Raw figures for report.json. */
function dataOf(v: ReportValues): unknown {
  const {
    connections,
    duration,
    warmup,
    rounds,
    startupS,
    catalog,
    signals,
    relevance,
    typeAhead,
    suggestP99,
    relaxed,
    cpu,
    roundRatios,
    edge,
    engine,
    ratio,
    freshness,
    rebuilt,
    cpuRatio,
  } = v;
  return {
    catalog: { source: catalog.source, products: catalog.products.length },
    platformStartupS: startupS,
    connections,
    durationS: duration,
    rounds,
    warmupS: warmup,
    roundRatios,
    relaxedQueries: relaxed,
    clickstreamSignalTimeouts: signals.timedOut,
    edge: { ...edge, latencyMs: undefined, cpuSeconds: cpu.edge },
    engine: { ...engine, latencyMs: undefined, cpuSeconds: cpu.engine },
    ratio,
    cpuCostRatio: cpuRatio,
    freshness,
    typeAhead: {
      requests: typeAhead.requests,
      empty: typeAhead.empty,
      p50Ms: percentile(typeAhead.latencyMs, 50),
      p99Ms: suggestP99,
    },
    reindex: rebuilt,
    relevance,
  };
}

export const searchSection: Section = {
  id: 'search',
  title: "Search: queries through the edge vs the engine's own _search, freshness, relevance, full reindex",
  async run(ctx: BenchContext): Promise<SectionResult> {
    const options = { ...ctx.options, rounds: Math.max(1, ctx.options.rounds) };
    const p = await startSearchPlatform(ctx);
    const { info, catalog, api } = p;
    const { client, credentials } = engineClient(ctx, info);

    // Relevance first, on the catalog as seeded.
    const relevance = await measureRelevance(
      { source: catalog.source, products: catalog.products.length, items: catalog.products },
      async (q) => (await api<{ items: { id: string; name: string }[] }>(queryPath(q))).items,
    );
    ctx.log(`search: mean P@10 ${round(relevance.meanPrecisionAt10, 3)} over ${relevance.applicable} queries`);
    const typeAhead = await measureTypeAhead(ctx, info);
    const load = await measureQueryLoad(ctx, options, p, client);
    const freshness = await measureFreshness(ctx, info);

    ctx.log('search: full reindex');
    const rebuilt = await runReindex(info, credentials);
    const after = await api<{ total: number }>('/v1/search?limit=1');

    const v = reportValues(options, p, relevance, typeAhead, load, freshness, rebuilt, after);
    return {
      method: methodOf(v),
      targets: targetsOf(v),
      tables: [...loadAndFreshnessTables(v), ...reindexAndRelevanceTables(v)],
      findings: findingsOf(v),
      data: dataOf(v),
    };
  },
};
