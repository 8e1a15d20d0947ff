/**
 * Section 1: every route's handler bundled as CDK's NodejsFunction bundles it (the `bundling` of the function construct in lib/contexts, PlatformFunction),
 * its size, and the time a fresh Node 22 process takes to import it: the module-init part of a cold start.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import {
  FUNCTION_ENTRY_FILE,
  functionBuildOptions,
  PROJECT_ROOT,
  type SdkSource,
} from '../../lib/contexts/function-bundling';
import { routes, type Route } from '../../lib/routes';
import { tables, type TableKey } from '../../lib/tables';
import { loadedAtInit } from '../support/bundle-chunks';
import type { BenchContext, Section, SectionResult, Table, Target } from './report';
import { kib, max, median, min, round } from './stats';

/**
 * The bundle budget: 1 MiB since the functions bundle the SDK (issue 17 allowed it to grow from 250 KiB "if the init
 * figure says so": bundled, a handler's init costs well under half the runtime's copy's, see "init ms, SDK from the
 * runtime" beside it). Counted over every file of the bundle, chunks a cold start does not load included.
 */
export const SIZE_TARGET_BYTES = 1024 * 1024;
export const INIT_TARGET_MS = 60;

/** What the function construct deploys (lib/contexts/function-bundling.ts: the SDK bundled). */
export const DEPLOYED_SDK: SdkSource = 'bundled';

/**
 * What the child prints. It runs as an ES module, so the ESM loader is up before the clock starts:
 * the figure is the bundle's own evaluation (parse, compile, top-level code, external SDK imports).
 */
const PROBE = `const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let error;
try {
  const m = await import(process.argv[2]);
  if (typeof m.handler !== 'function') error = 'the bundle exports no handler function';
} catch (e) {
  error = String((e && e.message) || e).split('\\n')[0];
}
const importMs = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(JSON.stringify({ importMs, cpuMs, sinceProcessStartMs: performance.now(), error }) + '\\n');
// Exit at once: a Lambda container would stay up, and open handles must not stretch the wall time.
process.exit(error ? 1 : 0);
`;

const DUMMY = 'bench-dummy';

/** The variables the Lambda runtime sets for every function (those a module may read at load). */
export const lambdaRuntimeEnv = (route: Route): Record<string, string> => ({
  AWS_REGION: 'eu-west-2',
  AWS_DEFAULT_REGION: 'eu-west-2',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: `ecicomm-${route.id}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  TZ: ':UTC',
  LANG: 'en_US.UTF-8',
  _HANDLER: 'index.handler',
});

/**
 * Fallback when the CDK app cannot be synthesized: the function construct's environment rules as last read
 * (route tables, user pool, NODE_OPTIONS), with dummy values.
 */
const mirroredFunctionEnv = (route: Route): Record<string, string> => {
  const env: Record<string, string> = { POWERTOOLS_SERVICE_NAME: route.context, NODE_OPTIONS: '--enable-source-maps' };
  for (const key of Object.keys(route.tables ?? {}) as TableKey[])
    env[tables[key].envVar] = `ecicomm-${tables[key].name}`;
  if (route.userPoolActions !== undefined) {
    env.USER_POOL_ID = 'eu-west-2_bench';
    env.USER_POOL_CLIENT_ID = DUMMY;
  }
  if ((route as { startsSaga?: boolean }).startsSaga)
    env.ORDER_SAGA_ARN = 'arn:aws:states:eu-west-2:000000000000:stateMachine:bench';
  if (route.sagemakerEndpoint) env.SAGEMAKER_ENDPOINT_NAME = 'ecicomm-bench-recommendations';
  return env;
};

/** A stand-in for a value CloudFormation resolves at deploy time: a URL where the variable holds an endpoint. */
const dummyFor = (name: string) =>
  /_(ENDPOINT|URL)$/.test(name)
    ? `https://bench-${name.toLowerCase().replace(/_/g, '-')}.invalid`
    : `bench-${name.toLowerCase().replace(/_/g, '-')}`;

export interface FunctionEnvironments {
  /** How the environments were obtained. */
  source: string;
  byRoute: Map<string, Record<string, string>>;
}

/**
 * The environment each route's function really gets: the platform stack is built (no bundling, as the
 * infra tests do) and each function's Environment.Variables read from its template; references to other
 * resources (table names, pool ids) become dummy strings.
 */
export async function functionEnvironments(): Promise<FunctionEnvironments> {
  try {
    const { App } = await import('aws-cdk-lib');
    const { Template } = await import('aws-cdk-lib/assertions');
    const { EciCommStack } = await import('../../lib/stacks/platform-stack');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const { Stack } = await import('aws-cdk-lib');
    const stack = new EciCommStack(app, 'BenchEnvironments', { namePrefix: 'ecicomm-bench' });
    type Resources = Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    // A function may live in a nested stack: its environment is in that stack's template, not the parent's.
    const templates = new Map<import('aws-cdk-lib').Stack, Resources>();
    const resourcesOf = (owner: import('aws-cdk-lib').Stack): Resources => {
      if (!templates.has(owner)) templates.set(owner, Template.fromStack(owner).toJSON().Resources as Resources);
      return templates.get(owner)!;
    };
    const byRoute = new Map<string, Record<string, string>>();
    for (const route of routes) {
      const fn = stack.api.functions.get(route.id)?.function;
      if (!fn) throw new Error(`the stack has no function for route ${route.id}`);
      const owner = Stack.of(fn);
      const variables =
        resourcesOf(owner)[owner.getLogicalId(fn.node.defaultChild as import('aws-cdk-lib').CfnElement)]?.Properties
          .Environment?.Variables ?? {};
      if (!('NODE_OPTIONS' in variables)) throw new Error(`no environment found for route ${route.id}'s function`);
      byRoute.set(
        route.id,
        Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : dummyFor(k)])),
      );
    }
    return { source: 'synthesized from the CDK platform stack (EciCommStack, bundling skipped)', byRoute };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    return {
      source: `mirrored from the function construct's rules: the CDK stack did not synthesize (${reason})`,
      byRoute: new Map(routes.map((r) => [r.id, mirroredFunctionEnv(r)])),
    };
  }
}

/** Every variable any handler parses at load, so that timing never stops at a missing one. */
const allHandlerEnv = (): Record<string, string> => ({
  ...Object.fromEntries(
    (Object.values(tables) as { envVar: string; name: string }[]).map((t) => [t.envVar, `ecicomm-${t.name}`]),
  ),
  USER_POOL_ID: 'eu-west-2_bench',
  USER_POOL_CLIENT_ID: DUMMY,
  SAGEMAKER_ENDPOINT_NAME: 'ecicomm-bench-recommendations',
});

/** A clean environment: nothing of this process (npm_*, tsx's loader) leaks into the measured child. */
const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: os.tmpdir(),
  ...extra,
});

interface ProbeResult {
  wallMs: number;
  importMs?: number;
  /** CPU time (user + system, all threads) the import took: less sensitive to a busy machine than wall time. */
  cpuMs?: number;
  sinceProcessStartMs?: number;
  error?: string;
}

function probe(dir: string, target: string | undefined, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ProbeResult {
  const args = target === undefined ? ['-e', ''] : [...nodeArgs, path.join(dir, 'probe.mjs'), target];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  const wallMs = performance.now() - t0;
  if (target === undefined) return { wallMs, error: r.status === 0 ? undefined : `exit ${r.status ?? r.signal}` };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { importMs: number; cpuMs: number; sinceProcessStartMs: number; error?: string };
    return { wallMs, ...parsed };
  } catch {
    return {
      wallMs,
      error: `probe printed no result (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`,
    };
  }
}

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; project files → their first two path segments. */
export const packageOf = (input: string): string => {
  const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1];
  return `(project) ${input.split('/').slice(0, 2).join('/')}`;
};

export interface BundleFigures {
  route: Route;
  /** Every .mjs file of the bundle: index.mjs and all its chunks. */
  mjsBytes: number;
  /** What a cold start reads: index.mjs and the chunks it imports statically, transitively. */
  initBytes: number;
  /** How many files a cold start reads (index.mjs and its static chunks) of how many in all. */
  files: { atInit: number; all: number };
  mapBytes: number;
  file: string;
  inputs: { path: string; bytes: number }[];
  packages: { name: string; bytes: number }[];
  /** The '@aws-sdk/*' packages the bundle leaves to the runtime, built with the runtime's SDK. */
  externals: string[];
  /** The same handler built with the SDK left to the runtime: its size and init, timed in the same runs. */
  runtimeSdk: { file: string; mjsBytes: number; importMs: number[]; cpuMs: number[] };
  /** The function's environment as CDK sets it, NODE_OPTIONS aside. */
  deployedEnv: Record<string, string>;
  /** NODE_OPTIONS as CDK sets it: timed separately, in the "as deployed" column. */
  nodeOptions?: string;
  cdkEnvError?: string;
  /** Variables the handler needed at load beyond what CDK sets it (found from its load error). */
  addedForTiming: string[];
  timingEnv: NodeJS.ProcessEnv;
  samples: {
    importMs: number[];
    cpuMs: number[];
    wallMs: number[];
    sourceMapsImportMs: number[];
    sourceMapsExtraCpuMs: number[];
  };
  errors: string[];
}

const top = <T extends { bytes: number }>(items: T[], n: number) =>
  [...items].sort((a, b) => b.bytes - a.bytes).slice(0, n);

async function buildOne(route: Route, outdir: string, sdk: SdkSource) {
  const result = await esbuild.build(
    functionBuildOptions({ entry: path.join(PROJECT_ROOT, route.handler), outdir, sdk }),
  );
  if (result.errors.length)
    throw new Error(`esbuild failed for ${route.handler}: ${result.errors.map((e) => e.text).join('; ')}`);
  const outputs = Object.entries(result.metafile.outputs);
  const code = outputs.filter(([file]) => file.endsWith('.mjs'));
  const atInit = loadedAtInit(result.metafile);
  return {
    metafile: result.metafile,
    mjsBytes: code.reduce((sum, [, o]) => sum + o.bytes, 0),
    initBytes: code.filter(([file]) => atInit.has(file)).reduce((sum, [, o]) => sum + o.bytes, 0),
    mapBytes: outputs.filter(([file]) => file.endsWith('.map')).reduce((sum, [, o]) => sum + o.bytes, 0),
    files: { atInit: atInit.size, all: code.length },
    inputs: code.flatMap(([, o]) => Object.entries(o.inputs).map(([p, i]) => ({ path: p, bytes: i.bytesInOutput }))),
    externals: code.flatMap(([, o]) => o.imports.filter((i) => i.external).map((i) => i.path)),
  };
}

export async function build(dir: string, route: Route): Promise<BundleFigures> {
  const outdir = path.join(dir, route.id);
  const built = await buildOne(route, outdir, DEPLOYED_SDK);
  const other: SdkSource = DEPLOYED_SDK === 'bundled' ? 'runtime' : 'bundled';
  const otherDir = path.join(dir, `${route.id}-sdk-${other}`);
  const otherBuilt = await buildOne(route, otherDir, other);
  const runtimeBuilt = other === 'runtime' ? otherBuilt : built;
  const byPackage = new Map<string, number>();
  for (const i of built.inputs) byPackage.set(packageOf(i.path), (byPackage.get(packageOf(i.path)) ?? 0) + i.bytes);
  return {
    route,
    file: path.join(outdir, FUNCTION_ENTRY_FILE),
    mjsBytes: built.mjsBytes,
    initBytes: built.initBytes,
    files: built.files,
    mapBytes: built.mapBytes,
    inputs: built.inputs,
    packages: [...byPackage].map(([name, bytes]) => ({ name, bytes })),
    deployedEnv: {},
    addedForTiming: [],
    timingEnv: {},
    externals: [...new Set(runtimeBuilt.externals.filter((p) => p.startsWith('@aws-sdk/')))].sort(),
    runtimeSdk: {
      file: path.join(other === 'runtime' ? otherDir : outdir, FUNCTION_ENTRY_FILE),
      mjsBytes: runtimeBuilt.mjsBytes,
      importMs: [],
      cpuMs: [],
    },
    samples: { importMs: [], cpuMs: [], wallMs: [], sourceMapsImportMs: [], sourceMapsExtraCpuMs: [] },
    errors: [],
  };
}

type ExternalSets = Map<string, { file: string; importMs: number[]; cpuMs: number[] }>;
const externalsKey = (b: BundleFigures) => b.externals.join(' + ') || '(none)';

/** A temp dir the probes run in: ES modules, the project's node_modules, the probe, and an empty module. */
export function prepareProbeDir(ctx: BenchContext): string {
  const { projectRoot } = ctx;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-bench-bundles-'));
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  // Bundles import '@aws-sdk/*' as the Lambda runtime provides it: here, from the project's node_modules.
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'probe.mjs'), PROBE);
  mkdirSync(path.join(dir, 'empty'));
  writeFileSync(path.join(dir, 'empty', 'index.mjs'), 'export const handler = () => undefined;\n');
  return dir;
}

/** Each bundle's environment as CDK sets it, whether it loads with it, and what its timed loads need added. */
export function applyEnvironments(dir: string, bundles: BundleFigures[], environments: FunctionEnvironments) {
  for (const b of bundles) {
    const { NODE_OPTIONS, ...deployed } = environments.byRoute.get(b.route.id) ?? {};
    b.deployedEnv = deployed;
    b.nodeOptions = NODE_OPTIONS;
    // A load with exactly the environment CDK gives the function: a variable it lacks fails its cold start in AWS.
    const url = pathToFileURL(b.file).href;
    const first = probe(
      dir,
      url,
      childEnv({ ...lambdaRuntimeEnv(b.route), ...b.deployedEnv, ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}) }),
    );
    if (first.error) b.cdkEnvError = first.error;
    // Timing needs a load that succeeds: add every known handler variable, then whatever the load error names.
    let env = childEnv({ ...lambdaRuntimeEnv(b.route), ...allHandlerEnv(), ...b.deployedEnv });
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = probe(dir, url, env);
      const missing = /^Invalid environment: (.+)$/
        .exec(r.error ?? '')?.[1]
        ?.split(/,\s*/)
        .filter((n) => /^\w+$/.test(n) && !(n in env));
      if (!missing?.length) break;
      for (const name of missing) env = { ...env, [name]: dummyFor(name) };
      b.addedForTiming.push(...missing);
    }
    b.timingEnv = env;
  }
}

/** The SDK packages a bundle imports from the runtime, alone: how much of its init is theirs. */
function externalSetsOf(dir: string, bundles: BundleFigures[]): ExternalSets {
  const externalSets = new Map<string, { file: string; importMs: number[]; cpuMs: number[] }>();
  for (const b of bundles) {
    const key = b.externals.join(' + ') || '(none)';
    if (externalSets.has(key)) continue;
    const file = path.join(dir, `externals-${externalSets.size}.mjs`);
    writeFileSync(
      file,
      b.externals.map((e) => `import ${JSON.stringify(e)};`).join('\n') + '\nexport const handler = () => undefined;\n',
    );
    externalSets.set(key, { file, importMs: [], cpuMs: [] });
  }
  return externalSets;
}

/** `runs` rounds of fresh-process imports: a bare node, the empty module, each external set, each bundle. */
function timeColdImports(ctx: BenchContext, dir: string, bundles: BundleFigures[], externalSets: ExternalSets) {
  const { options } = ctx;
  const bare: number[] = [];
  const emptyImport: number[] = [];
  const emptyWall: number[] = [];
  ctx.log(`bundles: timing ${options.runs} cold imports per handler (interleaved, fresh process each)`);
  for (let run = 0; run < options.runs; run++) {
    const b0 = probe(dir, undefined, childEnv({}));
    if (b0.error) throw new Error(`bare node -e "" failed: ${b0.error}`);
    bare.push(b0.wallMs);
    const e0 = probe(dir, pathToFileURL(path.join(dir, 'empty', 'index.mjs')).href, childEnv({}));
    emptyWall.push(e0.wallMs);
    if (e0.importMs !== undefined) emptyImport.push(e0.importMs);
    for (const set of externalSets.values()) {
      const r = probe(dir, pathToFileURL(set.file).href, childEnv({ AWS_REGION: 'eu-west-2' }));
      if (r.importMs !== undefined && !r.error) {
        set.importMs.push(r.importMs);
        set.cpuMs.push(r.cpuMs ?? Number.NaN);
      }
    }
    // Rotate the order each run so that a burst of noise does not always land on the same handler.
    const order = bundles.map((_, i) => bundles[(i + run) % bundles.length]);
    for (const b of order) {
      const env = b.timingEnv;
      const url = pathToFileURL(b.file).href;
      const r = probe(dir, url, env);
      if (r.error || r.importMs === undefined) b.errors.push(r.error ?? 'no import time');
      else {
        b.samples.importMs.push(r.importMs);
        b.samples.cpuMs.push(r.cpuMs ?? Number.NaN);
        b.samples.wallMs.push(r.wallMs);
      }
      if (b.runtimeSdk.file !== b.file) {
        const o = probe(dir, pathToFileURL(b.runtimeSdk.file).href, env);
        if (!o.error && o.importMs !== undefined) {
          b.runtimeSdk.importMs.push(o.importMs);
          b.runtimeSdk.cpuMs.push(o.cpuMs ?? Number.NaN);
        }
      }
      // As deployed: with the NODE_OPTIONS CDK sets (--enable-source-maps reads the .map at load).
      if (!b.nodeOptions) continue;
      const s = probe(dir, url, { ...env, NODE_OPTIONS: b.nodeOptions });
      if (!s.error && s.importMs !== undefined) {
        b.samples.sourceMapsImportMs.push(s.importMs);
        // Paired with the plain load just before it: CPU, which outside load inflates least.
        if (!r.error && r.cpuMs !== undefined && s.cpuMs !== undefined)
          b.samples.sourceMapsExtraCpuMs.push(s.cpuMs - r.cpuMs);
      }
    }
  }
  return { bare, emptyImport, emptyWall };
}
type Timings = ReturnType<typeof timeColdImports>;

/** One row of figures per handler. */
function rowsOf(bundles: BundleFigures[], externalSets: ExternalSets, bareMs: number) {
  return bundles.map((b) => {
    const initMs = median(b.samples.importMs);
    const biggest = top(b.packages, 1)[0];
    return {
      route: b.route.id,
      endpoint: `${b.route.method} ${b.route.path}`,
      mjsKiB: kib(b.mjsBytes),
      initKiB: kib(b.initBytes),
      filesAtInit: `${b.files.atInit} of ${b.files.all}`,
      mapKiB: kib(b.mapBytes),
      sizePass: b.mjsBytes <= SIZE_TARGET_BYTES,
      initMs: round(initMs),
      initMinMs: round(min(b.samples.importMs)),
      initMaxMs: round(max(b.samples.importMs)),
      initCpuMs: round(median(b.samples.cpuMs)),
      runtimeSdkKiB: kib(b.runtimeSdk.mjsBytes),
      runtimeSdkInitMs: round(median(b.runtimeSdk.importMs)),
      runtimeSdkInitCpuMs: round(median(b.runtimeSdk.cpuMs)),
      wallAboveBareMs: round(median(b.samples.wallMs) - bareMs),
      initAsDeployedMs: b.nodeOptions ? round(median(b.samples.sourceMapsImportMs)) : null,
      nodeOptions: b.nodeOptions ?? null,
      initPass: b.samples.importMs.length > 0 && initMs <= INIT_TARGET_MS,
      // The issue's reading: "with the environment and NODE_OPTIONS CDK sets" (source maps on).
      initAsDeployedPass: b.nodeOptions
        ? b.samples.sourceMapsImportMs.length > 0 && median(b.samples.sourceMapsImportMs) <= INIT_TARGET_MS
        : b.samples.importMs.length > 0 && initMs <= INIT_TARGET_MS,
      sdkExternals: externalsKey(b),
      sdkExternalsMs: round(median(externalSets.get(externalsKey(b))!.importMs)),
      loadsWithCdkEnv: b.cdkEnvError ?? 'yes',
      addedForTiming: b.addedForTiming,
      biggestPackage: biggest ? `${biggest.name} (${kib(biggest.bytes)} KiB)` : '',
      samples: b.samples,
      errors: b.errors,
    };
  });
}

/** What the report is made of, under the names it uses. */
function reportValues(
  options: BenchContext['options'],
  bundles: BundleFigures[],
  environments: FunctionEnvironments,
  externalSets: ExternalSets,
  timings: Timings,
) {
  const bareMs = median(timings.bare);
  const rows = rowsOf(bundles, externalSets, bareMs);
  const measured = rows.filter((r) => r.samples.importMs.length > 0);
  const byInit = [...measured].sort((a, b) => a.initMs - b.initMs);
  return {
    options,
    bundles,
    environments,
    externalSets,
    ...timings,
    bareMs,
    rows,
    measured,
    slowest: byInit[byInit.length - 1] ?? rows[0],
    fastest: byInit[0] ?? rows[0],
    largest: [...bundles].sort((a, b) => b.mjsBytes - a.mjsBytes)[0],
  };
}
type ReportValues = ReturnType<typeof reportValues>;

function perHandlerTable(v: ReportValues): Table {
  const { rows } = v;
  return {
    title: `Per handler, SDK ${DEPLOYED_SDK} as deployed (targets: .mjs ≤ ${kib(SIZE_TARGET_BYTES)} KiB, every file; init ≤ ${INIT_TARGET_MS} ms); beside it the same handler with the SDK from the runtime`,
    columns: [
      'route',
      'endpoint',
      '.mjs KiB',
      'size',
      'read at init KiB',
      'files read at init',
      'init ms (median)',
      'min–max',
      'init CPU ms',
      'SDK from the runtime: .mjs KiB',
      'SDK from the runtime: init ms',
      'SDK from the runtime: init CPU ms',
      'of which its @aws-sdk imports ms',
      'wall − bare ms',
      'init ms as deployed (CDK NODE_OPTIONS)',
      'init',
      'loads with the env CDK sets',
      'largest package in bundle',
    ],
    rows: rows.map((r) => [
      r.route,
      r.endpoint,
      r.mjsKiB,
      r.sizePass,
      r.initKiB,
      r.filesAtInit,
      r.initMs,
      `${r.initMinMs}–${r.initMaxMs}`,
      r.initCpuMs,
      r.runtimeSdkKiB,
      r.runtimeSdkInitMs,
      r.runtimeSdkInitCpuMs,
      r.sdkExternalsMs,
      r.wallAboveBareMs,
      r.initAsDeployedMs,
      r.initPass,
      r.loadsWithCdkEnv,
      r.biggestPackage,
    ]),
  };
}

/** The largest bundle's inputs and packages. */
function largestBundleTables(v: ReportValues): Table[] {
  const { largest } = v;
  return [
    {
      title: `Largest bundle: ${largest.route.id} (${kib(largest.mjsBytes)} KiB): top 5 inputs by bytes in the minified output`,
      columns: ['input', 'KiB', 'share'],
      rows: top(largest.inputs, 5).map((i) => [i.path, kib(i.bytes), `${round((100 * i.bytes) / largest.mjsBytes)} %`]),
    },
    {
      title: `Largest bundle: ${largest.route.id}: top 5 packages (inputs summed by package)`,
      columns: ['package', 'KiB', 'share'],
      rows: top(largest.packages, 5).map((p) => [
        p.name,
        kib(p.bytes),
        `${round((100 * p.bytes) / largest.mjsBytes)} %`,
      ]),
    },
  ];
}

function externalsAndBaselineTables(v: ReportValues): Table[] {
  const { externalSets, emptyImport, emptyWall, bareMs, rows } = v;
  return [
    {
      title: 'The @aws-sdk packages the bundles import from the runtime, imported alone (median ms)',
      columns: ['external imports', 'import ms', 'CPU ms', 'handlers'],
      rows: [...externalSets].map(([key, set]) => [
        key,
        round(median(set.importMs)),
        round(median(set.cpuMs)),
        rows
          .filter((r) => r.sdkExternals === key)
          .map((r) => r.route)
          .join(', '),
      ]),
    },
    {
      title: 'Baselines (median)',
      columns: ['measure', 'ms'],
      rows: [
        ['bare `node -e ""`, whole-process wall', round(bareMs)],
        ['probe importing an empty module: import time', round(median(emptyImport), 2)],
        [
          'probe importing an empty module: wall − bare (harness overhead, included in "wall − bare")',
          round(median(emptyWall) - bareMs),
        ],
      ],
    },
  ];
}

function findingsOf(v: ReportValues): string[] {
  const { bundles, rows, measured, slowest, fastest } = v;
  const failingEnv = rows.filter((r) => r.loadsWithCdkEnv !== 'yes');
  const findings: string[] = [];
  for (const r of failingEnv) {
    findings.push(
      `\`${r.route}\` fails to load with the environment CDK gives its function (\`${r.loadsWithCdkEnv}\`): its cold start would fail in AWS.` +
        (r.addedForTiming.length ? ` Timed with ${r.addedForTiming.join(', ')} added as dummy values.` : ''),
    );
  }
  findings.push(
    `Slowest init: \`${slowest.route}\` at ${slowest.initMs} ms; fastest: \`${fastest.route}\` at ${fastest.initMs} ms.`,
  );
  const smDeltas = bundles
    .filter((b) => b.samples.sourceMapsExtraCpuMs.length)
    .map((b) => median(b.samples.sourceMapsExtraCpuMs));
  const nodeOptions = [...new Set(bundles.map((b) => b.nodeOptions).filter(Boolean))];
  if (smDeltas.length) {
    findings.push(
      `NODE_OPTIONS=\`${nodeOptions.join('` / `')}\` (as CDK sets it) costs a median ${round(median(smDeltas))} ms of CPU per handler at load (paired with the plain load in the same run; median over handlers), on top of "init".`,
    );
  }
  const withSdk = measured.filter((r) => r.sdkExternals !== '(none)' && Number.isFinite(r.runtimeSdkInitCpuMs));
  if (withSdk.length) {
    const sdkShare = median(withSdk.map((r) => r.sdkExternalsMs / r.runtimeSdkInitMs));
    const cpuRatio = median(withSdk.map((r) => r.initCpuMs / r.runtimeSdkInitCpuMs));
    findings.push(
      `With the SDK from the runtime, its @aws-sdk imports take a median ${round(100 * sdkShare, 0)} % of a handler's init. Bundled (tree-shaken, minified), a handler's init costs a median ${round(100 * cpuRatio, 0)} % of the CPU it costs with the runtime's copy (median over the ${withSdk.length} handlers that use the SDK): the SDK is bundled as deployed.`,
    );
  }
  for (const r of rows)
    if (r.errors.length) findings.push(`\`${r.route}\`: ${r.errors.length} probe(s) failed: ${r.errors[0]}`);
  return findings;
}

function methodOf(v: ReportValues): string[] {
  const { options, environments } = v;
  return [
    `Each route's handler is built with the esbuild JS API (${esbuild.version}) with the options the function construct deploys (\`functionBuildOptions\`, lib/contexts/function-bundling.ts): bundle, split into chunks (index.mjs and the chunks beside it; what the handler reaches only through \`import()\` is in chunks a cold start does not read), platform node, target node22, format esm, the createRequire banner, minify, linked external source maps (sources-content false), main-fields module,main, the SDK ${DEPLOYED_SDK === 'bundled' ? 'bundled (no externals)' : 'external (@aws-sdk/*)'}, working directory the project root. ".mjs KiB" counts every .mjs file (the size target's figure), "read at init KiB" index.mjs and the chunks it imports statically. Each is built a second time with the SDK ${DEPLOYED_SDK === 'bundled' ? 'left to the runtime (external @aws-sdk/*)' : 'bundled'} and timed in the same runs ("SDK from the runtime" columns).`,
    `Bundles are written to a temp dir with package.json {"type":"module"} and node_modules symlinked to the project's, so an external @aws-sdk/* resolves as the Lambda runtime would provide it.`,
    `Init: a fresh \`node probe.mjs <bundle>\` per sample; the probe (already an ES module, so the ESM loader is up) takes process.hrtime.bigint() around \`await import(bundle)\` and prints it. "init ms" is the median of ${options.runs} runs, interleaved across handlers with rotated order; the first init target's pass/fail is on it, the second's on the same median with the NODE_OPTIONS CDK sets ("as deployed", \`--enable-source-maps\`). The child's environment is clean (PATH, HOME, nothing of npm or tsx) plus the Lambda runtime's variables (AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, dummy credentials, …) and the function's own.`,
    `"init CPU ms": the child's process.cpuUsage() (user + system, all threads) over the same import, median: less inflated by other processes than wall time on this shared machine, so compare handlers by it when the wall figures are noisy (min–max wide).`,
    `"wall − bare" is the brief's whole-process alternative: median wall time of spawnSync around the probe process minus the median wall of a bare \`node -e ""\`; it includes the ESM loader start and probe overhead (see Baselines) and process teardown.`,
    `"of which its @aws-sdk imports": a module that only imports the @aws-sdk/* packages the runtime-SDK build leaves external (from its metafile), timed the same way in the same runs.`,
    `Function environments ${environments.source}. "loads with the env CDK sets": one load per bundle with only those variables (plus the Lambda runtime's). The timed loads drop NODE_OPTIONS (timed separately as "as deployed") and add dummies for every table variable and the user pool, plus any variable a failing load names.`,
    `This machine is ${os.arch()}, Lambda runs arm64 at 512 MB: absolute times differ, ratios between handlers carry over.`,
  ];
}

function targetsOf(v: ReportValues): Target[] {
  const { rows, slowest, largest } = v;
  const sizePass = rows.filter((r) => r.sizePass).length;
  const initPass = rows.filter((r) => r.initPass).length;
  const asDeployedPass = rows.filter((r) => r.initAsDeployedPass).length;
  const slowestDeployed = [...rows].sort(
    (a, b) => (b.initAsDeployedMs ?? b.initMs) - (a.initAsDeployedMs ?? a.initMs),
  )[0];
  return [
    {
      name: `bundle .mjs ≤ ${kib(SIZE_TARGET_BYTES)} KiB (every file)`,
      target: 'every handler',
      actual: `${sizePass}/${rows.length} pass (max ${kib(largest.mjsBytes)} KiB, ${largest.route.id})`,
      pass: sizePass === rows.length,
    },
    {
      name: `module init ≤ ${INIT_TARGET_MS} ms`,
      target: 'every handler',
      actual: `${initPass}/${rows.length} pass (max ${slowest.initMs} ms, ${slowest.route})`,
      pass: initPass === rows.length,
    },
    {
      name: `module init ≤ ${INIT_TARGET_MS} ms as deployed (with the NODE_OPTIONS CDK sets)`,
      target: 'every handler',
      actual: `${asDeployedPass}/${rows.length} pass (max ${slowestDeployed.initAsDeployedMs ?? slowestDeployed.initMs} ms, ${slowestDeployed.route})`,
      pass: asDeployedPass === rows.length,
    },
  ];
}

/** Raw figures for report.json. */
function dataOf(v: ReportValues): unknown {
  const { bundles, externalSets, bare, emptyImport, emptyWall, rows, largest } = v;
  return {
    esbuild: esbuild.version,
    bareWallMs: bare,
    sdkExternals: Object.fromEntries(
      [...externalSets].map(([key, set]) => [key, { importMs: set.importMs, cpuMs: set.cpuMs }]),
    ),
    emptyModule: { importMs: emptyImport, wallMs: emptyWall },
    handlers: rows.map((r, i) => ({
      ...r,
      mjsBytes: bundles[i].mjsBytes,
      mapBytes: bundles[i].mapBytes,
      handler: bundles[i].route.handler,
    })),
    largest: { route: largest.route.id, topInputs: top(largest.inputs, 5), topPackages: top(largest.packages, 5) },
  };
}

export const bundlesSection: Section = {
  id: 'bundles',
  title: 'Handler bundles: size and module init (cold start) per route',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const dir = prepareProbeDir(ctx);
    ctx.log(`bundles: building ${routes.length} handlers with esbuild ${esbuild.version}`);
    const bundles: BundleFigures[] = [];
    for (const route of routes) bundles.push(await build(dir, route));

    ctx.log("bundles: reading each function's environment from the CDK stack");
    const environments = await functionEnvironments();
    applyEnvironments(dir, bundles, environments);
    const externalSets = externalSetsOf(dir, bundles);
    const timings = timeColdImports(ctx, dir, bundles, externalSets);

    const v = reportValues(ctx.options, bundles, environments, externalSets, timings);
    return {
      method: methodOf(v),
      targets: targetsOf(v),
      tables: [perHandlerTable(v), ...largestBundleTables(v), ...externalsAndBaselineTables(v)],
      findings: findingsOf(v),
      data: dataOf(v),
    };
  },
};
