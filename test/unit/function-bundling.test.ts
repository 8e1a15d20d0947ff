/**
 * The functions' bundles as lib/contexts/function-bundling.ts builds them for CDK: split into chunks, so that what a
 * handler reaches only through `import()` is not read at a cold start, and still there when the handler first needs
 * it. Built for real (esbuild) and run in a fresh Node process, as Lambda runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as esbuild from 'esbuild';
import { FUNCTION_ENTRY_FILE, functionBuildOptions, PROJECT_ROOT } from '../../lib/contexts/function-bundling';
import { routes } from '../../lib/routes';
import { streams } from '../../lib/streams';
import { tables } from '../../lib/tables';
import { COLD_START_PROBE, firstRequest, traceHeader } from '../bench/cold-start-probe';
import { loadedAtInit } from '../support/bundle-chunks';
import { startLanternEngine, type RunningEngine } from '../support/search-engine';

const placeOrder = routes.find((r) => r.id === 'placeOrder')!;
let outdir: string;
let metafile: esbuild.Metafile;

/** Which output files hold code from inputs whose path matches. */
const filesHolding = (pattern: RegExp) =>
  Object.entries(metafile.outputs)
    .filter(([file, o]) => file.endsWith('.mjs') && Object.keys(o.inputs).some((input) => pattern.test(input)))
    .map(([file]) => file);

/** Runs `script` in a fresh Node with the bundle at `dir` as its argument; its last line of output, parsed. */
async function runModule<T>(script: string, dir: string, env: NodeJS.ProcessEnv): Promise<T> {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [script, pathToFileURL(path.join(dir, FUNCTION_ENTRY_FILE)).href],
      { env, encoding: 'utf8', timeout: 30_000 },
      (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)),
    ),
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

beforeAll(async () => {
  outdir = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-function-bundle-'));
  const result = await esbuild.build(
    functionBuildOptions({ entry: path.join(PROJECT_ROOT, placeOrder.handler), outdir }),
  );
  metafile = result.metafile;
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("a function's bundle", () => {
  it('is index.mjs and chunks beside it, every one an ES module by its name', () => {
    const files = readdirSync(outdir);
    expect(files).toContain(FUNCTION_ENTRY_FILE);
    expect(files.filter((f) => !f.endsWith('.mjs') && !f.endsWith('.mjs.map'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(1);
  });

  it('leaves what the handler imports on first need out of what a cold start reads', () => {
    const atInit = loadedAtInit(metafile);
    const lazy = [/aws-xray-sdk-core\//, /functions\/shared\/audit-publisher\.ts$/, /@aws-sdk\/client-kinesis\//];
    for (const pattern of lazy) {
      const holding = filesHolding(pattern);
      expect({ pattern: String(pattern), inBundle: holding.length > 0 }).toEqual({
        pattern: String(pattern),
        inBundle: true,
      });
      expect({ pattern: String(pattern), readAtInit: holding.filter((f) => atInit.has(f)) }).toEqual({
        pattern: String(pattern),
        readAtInit: [],
      });
    }
    // The handler's own module and its DynamoDB client are read at init.
    expect(filesHolding(/functions\/orders\/handlers\/place-order\.ts$/).every((f) => atInit.has(f))).toBe(true);
    expect(filesHolding(/@aws-sdk\/client-dynamodb\//).some((f) => atInit.has(f))).toBe(true);
  });

  describe('run as Lambda runs it, tracing on', () => {
    let server: Server;
    const kinesisTargets: string[] = [];

    beforeAll(async () => {
      // The SDK's endpoint: records what it is asked (the audit write's PutRecord) and answers as Kinesis would.
      server = createServer((req, res) => {
        kinesisTargets.push(String(req.headers['x-amz-target'] ?? ''));
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ SequenceNumber: '1', ShardId: 'shardId-000000000000' }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    /** The function's environment as Lambda gives it, its AWS endpoint the recording server. */
    const lambdaEnv = (): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      ...Object.fromEntries(Object.values(tables).map((t) => [t.envVar, `test-${t.name}`])),
      ...Object.fromEntries(Object.values(streams).map((s) => [s.envVar, `test-${s.name}`])),
      ORDER_SAGA_ARN: 'arn:aws:states:eu-west-2:000000000000:stateMachine:test',
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'test-placeOrder',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      // X-Ray's segments go to a port nobody reads: UDP, sent and forgotten.
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
      BENCH_EVENT: JSON.stringify(firstRequest(placeOrder)),
      BENCH_TRACE_HEADER: traceHeader(),
    });

    it('answers its first request, loading the tracer and the audit trail’s publisher from their chunks', async () => {
      const probe = path.join(outdir, 'probe.mjs');
      writeFileSync(probe, COLD_START_PROBE);
      const result = await runModule<{ status?: number; error?: string }>(probe, outdir, lambdaEnv());
      expect(result).toEqual(expect.objectContaining({ status: 400 }));
      expect(result.error).toBeUndefined();
      expect(kinesisTargets).toEqual(['Kinesis_20131202.PutRecord']);
    });

    it('loads no node:http2 at its cold start: the SDK handler that would use it is never asked to', async () => {
      const check = path.join(outdir, 'loaded.mjs');
      writeFileSync(
        check,
        `await import(process.argv[2]);
console.log(JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (http2|https)$/.test(m))));`,
      );
      // https is (the SDK's endpoints in AWS); http2 is not.
      expect(await runModule<string[]>(check, outdir, lambdaEnv())).toEqual(['NativeModule https']);
    });
  });
});

describe("the search functions' bundles", () => {
  const built = new Map<string, esbuild.Metafile>();
  const dirs: string[] = [];
  const handlers = {
    searchProducts: routes.find((r) => r.id === 'searchProducts')!.handler,
    suggestProducts: routes.find((r) => r.id === 'suggestProducts')!.handler,
    health: routes.find((r) => r.id === 'health')!.handler,
    indexProducts: 'functions/search/handlers/index-products.ts',
  };
  /** The inputs of what a cold start of the function reads. */
  const readAtInit = (name: keyof typeof handlers) => {
    const meta = built.get(name)!;
    const atInit = loadedAtInit(meta);
    return Object.entries(meta.outputs)
      .filter(([file]) => atInit.has(file))
      .flatMap(([, output]) => Object.keys(output.inputs));
  };
  const OPENSEARCH_API = /@opensearch-project\/opensearch\/api\//;

  beforeAll(async () => {
    for (const [name, handler] of Object.entries(handlers)) {
      const dir = mkdtempSync(path.join(os.tmpdir(), `ecicomm-${name}-bundle-`));
      dirs.push(dir);
      const result = await esbuild.build(
        functionBuildOptions({ entry: path.join(PROJECT_ROOT, handler), outdir: dir }),
      );
      built.set(name, result.metafile);
    }
  });
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("the query routes and the health check read the client's transport, none of its API namespaces", () => {
    for (const name of ['searchProducts', 'suggestProducts', 'health'] as const) {
      const inputs = readAtInit(name);
      expect({ name, transport: inputs.some((i) => /opensearch\/lib\/Transport\.js$/.test(i)) }).toEqual({
        name,
        transport: true,
      });
      expect({ name, api: inputs.filter((i) => OPENSEARCH_API.test(i)) }).toEqual({ name, api: [] });
    }
    // Nor DynamoDB's client, which only the reindex of the search context uses.
    expect(readAtInit('searchProducts').filter((i) => /@aws-sdk\/client-dynamodb\//.test(i))).toEqual([]);
    expect(readAtInit('suggestProducts').filter((i) => /@aws-sdk\/client-(dynamodb|kinesis)\//.test(i))).toEqual([]);
  });

  it('the indexer, which writes and manages the index, loads the whole client', () => {
    expect(readAtInit('indexProducts').some((i) => OPENSEARCH_API.test(i))).toBe(true);
  });
});

describe("the search routes' bundles, run as Lambda runs them against the local engine", () => {
  let engine: RunningEngine;
  const dirs: string[] = [];

  beforeAll(async () => {
    engine = await startLanternEngine();
  });
  afterAll(async () => {
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    await engine?.stop();
  });

  /** Builds the route's function as CDK does and invokes it once in a fresh Node with `query`. */
  async function invoke(routeId: string, query: Record<string, string>, secret = engine.credentials.secretAccessKey) {
    const route = routes.find((r) => r.id === routeId)!;
    const dir = mkdtempSync(path.join(os.tmpdir(), `ecicomm-${routeId}-run-`));
    dirs.push(dir);
    await esbuild.build(functionBuildOptions({ entry: path.join(PROJECT_ROOT, route.handler), outdir: dir }));
    const run = path.join(dir, 'run.mjs');
    writeFileSync(
      run,
      `const { handler } = await import(process.argv[2]);
const result = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'test', getRemainingTimeInMillis: () => 5000 });
console.log(JSON.stringify({ status: result.statusCode, body: JSON.parse(result.body) }));
process.exit(0);`,
    );
    const event = { ...firstRequest(route), body: null, queryStringParameters: query };
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-2',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: `test-${routeId}`,
      // The function's role, as Lambda hands it over: the SDK's credential chain reads it, and the signer uses that.
      AWS_ACCESS_KEY_ID: engine.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secret,
      OPENSEARCH_ENDPOINT: engine.engine.endpoint,
      CLICKSTREAM_STREAM: 'test-clickstream',
      // The search's clickstream event is not awaited by the answer; nothing listens here.
      AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:9',
      EVENT: JSON.stringify(event),
    };
    return runModule<{ status: number; body: Record<string, unknown> }>(run, dir, env);
  }

  it('GET /v1/search finds the products, its requests signed by the bundled transport', async () => {
    const { status, body } = await invoke('searchProducts', { q: 'lantern' });
    expect(status).toBe(200);
    expect((body.items as { id: string }[]).map((i) => i.id).sort()).toEqual(['p1', 'p2']);
  });

  it('GET /v1/search/suggest completes a name', async () => {
    const { status, body } = await invoke('suggestProducts', { q: 'cak' });
    expect(status).toBe(200);
    expect(body.items).toEqual([{ id: 'p3', name: 'Cake stand' }]);
  });

  it('a wrong secret is refused by the engine, and the route answers 503', async () => {
    const { status, body } = await invoke('suggestProducts', { q: 'cak' }, 'not-the-secret');
    expect(status).toBe(503);
    expect(body).toEqual({ error: expect.objectContaining({ code: 'DEPENDENCY_UNAVAILABLE' }) });
  });
});
