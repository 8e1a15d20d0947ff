/**
 * Section `coldstart`: the whole-process figure a Lambda cold start pays, per route's handler: a fresh Node process
 * (as deployed: the bundle the function construct builds, the environment and NODE_OPTIONS CDK sets, tracing on)
 * starts, imports the handler and answers its first request; and the same with tracing off, so the tracer's share
 * shows. SDK requests go to a stub endpoint of this process, X-Ray segments to a UDP "daemon" of this process.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { routes } from '../../lib/routes';
import {
  applyEnvironments,
  build,
  DEPLOYED_SDK,
  functionEnvironments,
  prepareProbeDir,
  type BundleFigures,
} from './bundles';
import { COLD_START_PROBE, EXIT_DELAY_MS, firstRequest, traceHeader } from './cold-start-probe';
import type { BenchContext, Section, SectionResult, Table } from './report';
import { median, round } from './stats';

interface Sample {
  wallMs: number;
  startMs: number;
  importMs: number;
  invokeMs: number;
  cpuMs: number;
  status?: number;
  segments: number;
  error?: string;
}

interface Handler {
  bundle: BundleFigures;
  event: string;
  on: Sample[];
  off: Sample[];
}

/** The stand-ins for AWS: an endpoint answering every SDK request with `{}`, and a UDP port counting segments. */
async function startStubs(ctx: BenchContext) {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const daemon = createSocket('udp4');
  const counter = { datagrams: 0 };
  daemon.on('message', () => counter.datagrams++);
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  ctx.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  ctx.defer(() => new Promise<void>((resolve) => daemon.close(() => resolve())));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    daemon: `127.0.0.1:${daemon.address().port}`,
    counter,
  };
}

type Stubs = Awaited<ReturnType<typeof startStubs>>;

function coldStart(dir: string, h: Handler, stubs: Stubs, tracing: boolean): Promise<Sample> {
  const env: NodeJS.ProcessEnv = {
    ...h.bundle.timingEnv,
    ...(h.bundle.nodeOptions ? { NODE_OPTIONS: h.bundle.nodeOptions } : {}),
    LAMBDA_TASK_ROOT: path.dirname(h.bundle.file),
    AWS_ENDPOINT_URL: stubs.endpoint,
    AWS_XRAY_DAEMON_ADDRESS: stubs.daemon,
    ...(tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
    BENCH_EVENT: h.event,
    BENCH_TRACE_HEADER: traceHeader(),
  };
  const before = stubs.counter.datagrams;
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(dir, 'cold-start.mjs'), pathToFileURL(h.bundle.file).href],
      { cwd: dir, env, encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const wallMs = performance.now() - t0;
        // Segments are sent before the child exits; give the socket one turn of the loop to count them.
        setImmediate(() => {
          const segments = stubs.counter.datagrams - before;
          try {
            const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Omit<Sample, 'wallMs' | 'segments'>;
            resolve({ wallMs, segments, ...parsed });
          } catch {
            const tail = (stderr || stdout || err?.message || 'no output').trim().split('\n').slice(-2).join(' ');
            resolve({ wallMs, segments, startMs: NaN, importMs: NaN, invokeMs: NaN, cpuMs: NaN, error: tail });
          }
        });
      },
    );
  });
}

/** `runs` rounds, handlers interleaved in a rotated order; each round a bare `node -e ""` too. */
async function timeColdStarts(ctx: BenchContext, dir: string, handlers: Handler[], stubs: Stubs) {
  const bare: number[] = [];
  for (let run = 0; run < ctx.options.runs; run++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['-e', ''], { env: { PATH: process.env.PATH ?? '' } }, (e) =>
        e ? reject(new Error(`bare node failed: ${e.message}`)) : resolve(),
      ),
    );
    bare.push(performance.now() - t0);
    const order = handlers.map((_, i) => handlers[(i + run) % handlers.length]);
    for (const h of order) {
      h.on.push(await coldStart(dir, h, stubs, true));
      h.off.push(await coldStart(dir, h, stubs, false));
    }
    ctx.log(`coldstart: round ${run + 1}/${ctx.options.runs} done`);
  }
  return bare;
}

const ok = (samples: Sample[]) => samples.filter((s) => !s.error && Number.isFinite(s.invokeMs));
const med = (samples: Sample[], pick: (s: Sample) => number) => round(median(ok(samples).map(pick)));
const total = (s: Sample) => s.startMs + s.importMs + s.invokeMs;

function rowsOf(handlers: Handler[], bareMs: number) {
  return handlers.map((h) => {
    const statuses = [...new Set(ok(h.on).map((s) => s.status))].join('/');
    return {
      route: h.bundle.route.id,
      request: `${h.bundle.route.method} ${h.bundle.route.path} → ${statuses || 'none'}`,
      startMs: med(h.on, (s) => s.startMs),
      initMs: med(h.on, (s) => s.importMs),
      invokeMs: med(h.on, (s) => s.invokeMs),
      coldStartMs: med(h.on, total),
      cpuMs: med(h.on, (s) => s.cpuMs),
      wallAboveBareMs: round(median(ok(h.on).map((s) => s.wallMs)) - EXIT_DELAY_MS - bareMs),
      segments: med(h.on, (s) => s.segments),
      offInitMs: med(h.off, (s) => s.importMs),
      offInvokeMs: med(h.off, (s) => s.invokeMs),
      offColdStartMs: med(h.off, total),
      offCpuMs: med(h.off, (s) => s.cpuMs),
      tracingCpuMs: round(med(h.on, (s) => s.cpuMs) - med(h.off, (s) => s.cpuMs)),
      errors: [...h.on, ...h.off].filter((s) => s.error).map((s) => s.error!),
      samples: { on: h.on, off: h.off },
    };
  });
}
type Row = ReturnType<typeof rowsOf>[number];

function table(rows: Row[]): Table {
  return {
    title: 'Per handler: one whole-process cold start (median), as deployed (tracing on) and with tracing off',
    columns: [
      'route',
      'first request → status',
      'Node start ms',
      'init ms',
      'first invocation ms',
      'cold start ms (start + init + first invocation)',
      'process CPU ms',
      'wall − bare ms',
      'X-Ray datagrams',
      'tracing off: init ms',
      'tracing off: first invocation ms',
      'tracing off: cold start ms',
      'tracing off: process CPU ms',
      "tracing's CPU ms",
    ],
    rows: rows.map((r) => [
      r.route,
      r.request,
      r.startMs,
      r.initMs,
      r.invokeMs,
      r.coldStartMs,
      r.cpuMs,
      r.wallAboveBareMs,
      r.segments,
      r.offInitMs,
      r.offInvokeMs,
      r.offColdStartMs,
      r.offCpuMs,
      r.tracingCpuMs,
    ]),
  };
}

function findingsOf(rows: Row[], bareMs: number): string[] {
  const findings: string[] = [];
  const byTotal = [...rows].filter((r) => Number.isFinite(r.coldStartMs)).sort((a, b) => a.coldStartMs - b.coldStartMs);
  if (byTotal.length) {
    const [fast, slow] = [byTotal[0], byTotal[byTotal.length - 1]];
    findings.push(
      `Cold start (process start to first answer): median over handlers ${round(median(byTotal.map((r) => r.coldStartMs)))} ms, fastest \`${fast.route}\` ${fast.coldStartMs} ms, slowest \`${slow.route}\` ${slow.coldStartMs} ms; a bare \`node -e ""\` takes ${round(bareMs)} ms wall.`,
      `Tracing (the X-Ray tracer, wherever the code loads it: init or first invocation) costs a median ${round(median(byTotal.map((r) => r.tracingCpuMs)))} ms of process CPU per cold start (tracing on − off, same runs).`,
    );
  }
  const untraced = rows.filter((r) => !(r.segments > 0));
  if (untraced.length)
    findings.push(`No X-Ray segment reached the daemon from: ${untraced.map((r) => r.route).join(', ')}.`);
  const not4xx = rows.filter((r) => !/→ 4\d\d$/.test(r.request));
  if (not4xx.length)
    findings.push(`First request not answered 4xx by: ${not4xx.map((r) => `${r.route} (${r.request})`).join('; ')}.`);
  for (const r of rows)
    if (r.errors.length) findings.push(`\`${r.route}\`: ${r.errors.length} run(s) failed: ${r.errors[0]}`);
  return findings;
}

const method = (runs: number, source: string): string[] => [
  `Each route's handler is bundled as the function construct deploys it (SDK ${DEPLOYED_SDK}; the bundles section's build) and run ${runs} times in a fresh \`node cold-start.mjs <bundle>\`, interleaved across handlers in a rotated order, with the environment CDK gives the function (${source}), its NODE_OPTIONS, and the Lambda runtime's variables (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, _HANDLER, a sampled _X_AMZN_TRACE_ID set before the invocation, as Lambda sets it).`,
  '"Node start": performance.now() at the probe\'s first line (the process start to user code); "init": the `await import(bundle)`; "first invocation": `await handler(event, context)`; "cold start" is their sum, the part of a Lambda cold start the function\'s code and Node decide (Lambda\'s own sandbox and runtime-client start are not in it). "process CPU": process.cpuUsage() at the end, since the process started: the figure least inflated by a busy machine.',
  `The first request is the route's method and path with a body of \`{\` and content-type JSON: refused 400 by the shared HTTP stack (not valid JSON, or takes no body) before the handler, so it needs no data; it runs the middleware, the tracer where on, the metrics flush and, for state-changing methods, the audit write (the Kinesis client, one PutRecord). SDK requests go to a stub endpoint in the bench process (AWS_ENDPOINT_URL) answering \`{}\`; X-Ray segments go to a UDP socket in the bench process (AWS_XRAY_DAEMON_ADDRESS), counted per run. "wall − bare": spawn to exit, less the ${EXIT_DELAY_MS} ms the child waits for its UDP sends before exiting, less a bare \`node -e ""\`.`,
  '"tracing off": the same with POWERTOOLS_TRACE_ENABLED=false, so the tracer is never loaded; "tracing\'s CPU" is the difference of the process CPU medians.',
];

export const coldStartSection: Section = {
  id: 'coldstart',
  title: 'Whole-process cold start per handler: Node start + init + first invocation',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const dir = prepareProbeDir(ctx);
    writeFileSync(path.join(dir, 'cold-start.mjs'), COLD_START_PROBE);
    ctx.log(`coldstart: building ${routes.length} handlers`);
    const bundles: BundleFigures[] = [];
    for (const route of routes) bundles.push(await build(dir, route));
    const environments = await functionEnvironments();
    applyEnvironments(dir, bundles, environments);
    const handlers: Handler[] = bundles.map((bundle) => ({
      bundle,
      event: JSON.stringify(firstRequest(bundle.route)),
      on: [],
      off: [],
    }));
    const stubs = await startStubs(ctx);
    const bare = await timeColdStarts(ctx, dir, handlers, stubs);
    const bareMs = median(bare);
    const rows = rowsOf(handlers, bareMs);
    return {
      method: method(ctx.options.runs, environments.source),
      targets: [],
      tables: [table(rows)],
      findings: findingsOf(rows, bareMs),
      data: { bareWallMs: bare, handlers: rows },
    };
  },
};
