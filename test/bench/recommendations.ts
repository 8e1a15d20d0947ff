/**
 * Section: the recommendation model — how long training takes, and what the model server sustains.
 *
 * Training: lib/local/train-model-child.ts (the trainer's `trainModel` + `writeArtifact`, as `npm start`
 * runs it) on the dataset when DATASET_DIR (or ../shared/data/online-retail) holds it, and on the demo
 * catalog's synthetic history. Serving: `npm run ml:serve` (ml/bin/serve.ts) in a child process with the
 * largest model trained — or, without a trainer, a synthetic artifact of the dataset's size — under
 * autocannon on POST /invocations, one run per kind of request the recommendations function sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { cpuSeconds } from './platform-process';
import type { ModelArtifact } from '../../ml/src/model';
import { listDatasetFiles } from '../../catalog-data/invoice-lines';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { writeDemoHistory } from '@ecicomm/local-platform/seed/demo-history';
import type { TrainerMessage } from '@ecicomm/local-platform/train-model-child';
import { loadArtifact } from '../../ml/src/serve/artifact';
import { writeTestModel } from '../support/recommendation-model';
import type { BenchContext, BenchOptions, Section, SectionResult, Target } from './report';
import { percentile, round } from './stats';

export const P99_TARGET_MS = 20;
const TRAIN_TIMEOUT_MS = 30 * 60_000;

export interface TrainingRun {
  data: string;
  dataDir: string;
  outcome: 'trained' | 'unavailable' | 'failed';
  /** Wall time of the child: process start, module load, reading the data, training, writing. */
  wallS?: number;
  /** trainModel + writeArtifact, as the child timed it. */
  trainS?: number;
  version?: string;
  error?: string;
  modelDir?: string;
}

/**
 * Trains in a child process exactly as the local platform does (`model`: which trainer, the recommendation
 * model by default); resolves with what happened.
 */
export function train(
  ctx: BenchContext,
  data: string,
  dataDir: string,
  out: string,
  until?: string,
  model: 'recommendations' | 'insights' = 'recommendations',
): Promise<TrainingRun> {
  const script = path.join(ctx.projectRoot, 'lib', 'local', 'train-model-child.ts');
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--model',
      model,
      '--data',
      dataDir,
      '--out',
      out,
      ...(until ? ['--until', until] : []),
    ],
    {
      cwd: ctx.projectRoot,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  ctx.onExit(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-2000)));
  let outcome: TrainerMessage | undefined;
  child.on('message', (m: TrainerMessage) => {
    if (m.type !== 'progress') outcome = m;
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), TRAIN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const wallS = (performance.now() - t0) / 1000;
      if (outcome?.type === 'done')
        resolve({
          data,
          dataDir,
          outcome: 'trained',
          wallS,
          trainS: outcome.ms / 1000,
          version: outcome.version,
          modelDir: out,
        });
      else if (outcome?.type === 'failed' && outcome.unavailable)
        resolve({ data, dataDir, outcome: 'unavailable', error: outcome.error });
      else
        resolve({
          data,
          dataDir,
          outcome: 'failed',
          wallS,
          error:
            outcome?.type === 'failed'
              ? outcome.error.split('\n')[0]
              : `exit ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`,
        });
    });
  });
}

/** A model of the dataset's size (3,665 products, 50 neighbours each), for serving without a trainer. */
function syntheticFullSizeModel(): ModelArtifact {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ids = Array.from({ length: 3665 }, (_, i) => `P${String(10000 + i)}`);
  const popularity = ids.map((id, i): [string, number] => [id, Math.round(10000 / (i + 1))]);
  const neighbours: ModelArtifact['neighbours'] = {};
  for (const id of ids) {
    neighbours[id] = Array.from({ length: 50 }, (_, j): [string, number] => [
      ids[Math.floor(rand() * ids.length)],
      Math.round((1 - j / 60) * 1e4) / 1e4,
    ]);
  }
  return {
    format: 'ecicomm-recs/1',
    version: 'synthetic.full-size',
    trainedAt: new Date(0).toISOString(),
    dataWindow: { from: '2010-12-01', until: '2011-12-09', invoices: 18532, customers: 4338, items: ids.length },
    cleaning: 'synthetic benchmark model',
    parameters: {
      personalWeight: 1,
      neighbourWeight: 0.5,
      popularityWeight: 0.1,
      recencyHalfLifeDays: 90,
      neighbours: 50,
      popularityHalfLifeDays: 60,
    },
    popularity,
    neighbours,
  };
}

/** `npm run ml:serve` in a child process; resolves with its URL once the model is loaded. */
export async function startServer(
  ctx: BenchContext,
  modelDir: string,
): Promise<{ url: string; child: ChildProcess; loadMs: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ctx.projectRoot, 'ml', 'bin', 'serve.ts'),
      '--model',
      modelDir,
      '--port',
      '0',
      '--variant',
      'bench',
    ],
    {
      cwd: ctx.projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  ctx.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      child.kill('SIGKILL');
    }
  });
  ctx.onExit(() => child.kill('SIGKILL'));
  let out = '';
  child.stderr.on('data', (c: Buffer) => void (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /model \S+ loaded in (\d+) ms: POST (http:\/\/[\d.]+:\d+)\/invocations/.exec(out);
      if (m) resolve({ url: m[2], child, loadMs: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`ml:serve exited ${code}: ${out.slice(-1000)}`)));
    setTimeout(() => reject(new Error(`ml:serve not ready in 60 s: ${out.slice(-1000)}`)), 60_000).unref();
  });
}

interface Load {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function load(url: string, body: string, connections: number, duration: number): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const instance = autocannon({
    url: `${url}/invocations`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 200) latencies.push(responseTime);
    else errors++;
  });
  const result = await instance;
  const elapsedS = (performance.now() - t0) / 1000;
  return {
    requests: latencies.length,
    errors: errors + result.errors + result.timeouts,
    rps: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.reduce((a, b) => (b > a ? b : a), 0),
  };
}

/** Training on the demo history, and on the dataset when it is present; what went wrong goes into `findings`. */
async function trainAll(ctx: BenchContext, work: string, findings: string[]) {
  const datasetDir = path.resolve(ctx.projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
  const demo = writeDemoHistory(path.join(work, 'demo-history'), DEMO_CATALOG);
  const runs: TrainingRun[] = [];
  ctx.log('recommendations: training on the demo history');
  runs.push(
    await train(
      ctx,
      `demo history (${demo.invoices} invoices, ${demo.lines} lines)`,
      demo.dir,
      path.join(work, 'model-demo'),
      demo.until,
    ),
  );
  if (runs[0].outcome !== 'unavailable' && (await listDatasetFiles(datasetDir)).length) {
    ctx.log(`recommendations: training on the dataset in ${datasetDir}`);
    runs.push(await train(ctx, `dataset (${datasetDir})`, datasetDir, path.join(work, 'model-dataset')));
  }
  const trainerMissing = runs[0].outcome === 'unavailable';
  if (trainerMissing)
    findings.push(`Training time not measured: the trainer is not available (${runs[0].error?.split('\n')[0]}).`);
  for (const r of runs.filter((x) => x.outcome === 'failed'))
    findings.push(`Training on the ${r.data} failed: ${r.error}`);
  return { datasetDir, runs, trainerMissing };
}

/** The largest model trained, or a synthetic one of the dataset's size when none could be. */
function modelToServe(work: string, runs: TrainingRun[]): { modelDir: string; modelNote: string } {
  const trained = [...runs].reverse().find((r) => r.outcome === 'trained');
  let modelDir: string;
  let modelNote: string;
  if (trained?.modelDir) {
    modelDir = trained.modelDir;
    modelNote = `the model trained on the ${trained.data}, ${trained.version}`;
  } else {
    modelDir = writeTestModel(path.join(work, 'model-synthetic'), syntheticFullSizeModel());
    modelNote =
      "a synthetic artifact of the dataset's size (3,665 products, 50 neighbours each), since no model could be trained";
  }
  return { modelDir, modelNote };
}

/** The three requests the recommendations function sends, built from the served model. */
async function requestKinds(modelDir: string) {
  const model = await loadArtifact(modelDir);
  const productCount = model.popularity.length;
  const withNeighbours = Object.entries(model.neighbours).sort(
    (a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1),
  );
  const anchor = withNeighbours[0]?.[0] ?? model.popularity[0][0];
  // A heavy customer: 40 lines over 25 distinct products, across a year, as the function sends it.
  const history = Array.from({ length: 40 }, (_, i) => ({
    productId: model.popularity[(i * 7) % Math.min(25 * 7, productCount)][0],
    quantity: 1 + (i % 6),
    at: new Date(Date.UTC(2011, 0, 1) + i * 8 * 86_400_000).toISOString(),
  }));
  const kinds: [string, unknown][] = [
    ['popular (anonymous)', { history: [], k: 20 }],
    ['bought together (productId)', { history: [], productId: anchor, exclude: [anchor], k: 20 }],
    ['personal (40-line history)', { history, k: 20 }],
  ];
  return { model, productCount, withNeighbours, kinds };
}

/** autocannon per kind of request, after one request of each has answered 200; CPU per request from /proc. */
async function loadEachKind(
  ctx: BenchContext,
  server: Awaited<ReturnType<typeof startServer>>,
  kinds: [string, unknown][],
  { connections, duration, warmup }: BenchOptions,
) {
  for (const [name, body] of kinds) {
    const res = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${name}: the server answered ${res.status}: ${await res.text()}`);
  }

  const rows: (string | number)[][] = [];
  const figures: Record<string, Load & { cpuMsPerRequest?: number }> = {};
  for (const [name, body] of kinds) {
    const text = JSON.stringify(body);
    if (warmup > 0) await load(server.url, text, connections, warmup);
    const before = cpuSeconds(server.child.pid!);
    ctx.log(`recommendations: ${name}, ${duration} s × ${connections} connections`);
    const result = await load(server.url, text, connections, duration);
    const after = cpuSeconds(server.child.pid!);
    const cpuMsPerRequest =
      before !== undefined && after !== undefined
        ? (1000 * (after - before)) / Math.max(1, result.requests)
        : undefined;
    figures[name] = { ...result, cpuMsPerRequest };
    rows.push([
      name,
      Buffer.byteLength(text),
      result.requests,
      result.errors,
      round(result.rps),
      round(result.p50Ms, 2),
      round(result.p99Ms, 2),
      round(result.maxMs, 1),
      cpuMsPerRequest === undefined ? '—' : round(cpuMsPerRequest, 3),
    ]);
  }
  return { rows, figures };
}

export const recommendationsSection: Section = {
  id: 'recommendations',
  title: 'Recommendations: training time, and the model server under load (POST /invocations)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const { connections, duration, warmup } = ctx.options;
    const work = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-bench-recs-'));
    ctx.defer(() => rmSync(work, { recursive: true, force: true }));
    const findings: string[] = [];
    const { datasetDir, runs, trainerMissing } = await trainAll(ctx, work, findings);
    const { modelDir, modelNote } = modelToServe(work, runs);
    const { model, productCount, withNeighbours, kinds } = await requestKinds(modelDir);
    ctx.log(`recommendations: serving ${modelNote}`);
    const server = await startServer(ctx, modelDir);
    const { rows, figures } = await loadEachKind(ctx, server, kinds, ctx.options);

    const worstP99 = Math.max(...Object.values(figures).map((f) => f.p99Ms));
    const targets: Target[] = [
      {
        name: 'model server p99, POST /invocations (worst kind)',
        target: `≤ ${P99_TARGET_MS} ms`,
        actual: `${round(worstP99, 2)} ms`,
        pass: worstP99 <= P99_TARGET_MS,
      },
    ];
    findings.push(
      `Worst p99 over the three kinds of request: ${round(worstP99, 2)} ms at ${connections} concurrent connections (target ≤ ${P99_TARGET_MS} ms). Latency here is mostly queueing: one Node event loop scores one request at a time, so p50 ≈ connections × CPU per request.`,
    );
    findings.push(
      `Model load at server start: ${server.loadMs} ms for ${productCount} products (/ping answers 503 until then).`,
    );

    const trainingRows = runs.map((r) => [
      r.data,
      r.outcome,
      r.trainS === undefined ? '—' : round(r.trainS, 2),
      r.wallS === undefined ? '—' : round(r.wallS, 2),
      r.version ?? r.error?.split('\n')[0] ?? '—',
    ]);

    return {
      method: [
        `Training: \`node --import tsx lib/local/train-model-child.ts --data DIR --out DIR\` (what \`npm start\` runs in the background), once on the demo catalog's synthetic history (lib/local/seed/demo-history.ts) and once on the dataset when it is present; "train s" is trainModel + writeArtifact as the child times it, "wall s" adds process start, module load and reading the files.`,
        `Serving: \`node --import tsx ml/bin/serve.ts --model DIR --port 0\` in a child process, serving ${modelNote}. autocannon from this process, POST /invocations with a fixed body per kind, ${connections} connections, pipelining 1, ${warmup} s warm-up then ${duration} s measured per kind; latencies from autocannon's per-response event (sub-ms), 200s only; p50/p99 nearest-rank.`,
        "The kinds are the three requests the recommendations function sends: no history (anonymous), a productId (product page), and a signed-in customer's history (40 lines over 25 products), each asking for k = 20 (the function asks for more than it shows).",
        `CPU per request: the server child's utime+stime from /proc/<pid>/stat over the measured run, divided by the requests answered.`,
      ],
      targets,
      tables: [
        { title: 'Training', columns: ['data', 'outcome', 'train s', 'wall s', 'model version'], rows: trainingRows },
        {
          title: `POST /invocations, ${connections} connections, ${duration} s per kind`,
          columns: [
            'request',
            'body bytes',
            'requests',
            'errors',
            'requests/s',
            'p50 ms',
            'p99 ms',
            'max ms',
            'server CPU ms/request',
          ],
          rows,
        },
      ],
      findings,
      data: {
        training: runs,
        model: { version: model.version, products: productCount, neighbourLists: withNeighbours.length },
        serving: figures,
        loadMs: server.loadMs,
        worstP99Ms: worstP99,
        trainerMissing,
        datasetPresent: existsSync(datasetDir),
      },
    };
  },
};
