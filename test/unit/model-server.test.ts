/**
 * The model server's contract (ml/src/serve/server.ts): SageMaker's container paths, and the runtime
 * path exercised with the real @aws-sdk/client-sagemaker-runtime InvokeEndpoint through an endpoint
 * override, as the recommendations function calls it locally.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  InvokeEndpointCommand,
  ModelError,
  SageMakerRuntimeClient,
  ServiceUnavailable,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, loadArtifact } from '../../ml/src/serve/artifact';
import { createModelServer, type ModelServer } from '../../ml/src/serve/server';
import { INACTIVE_PRODUCT_ID, TEST_MODEL_VERSION, testModel, writeTestModel } from '../support/recommendation-model';

const ENDPOINT = 'ecicomm-recommendations';
const VARIANT = 'VariantB';

let server: ModelServer;
let url: string;
let sagemaker: SageMakerRuntimeClient;

beforeAll(async () => {
  server = createModelServer({ variant: VARIANT, endpointName: ENDPOINT });
  ({ url } = await server.listen(0));
  sagemaker = new SageMakerRuntimeClient({
    region: 'eu-west-2',
    endpoint: url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sagemaker?.destroy();
  await server?.close();
});

const post = (p: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${url}${p}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

const invoke = (body: unknown, extra: Partial<ConstructorParameters<typeof InvokeEndpointCommand>[0]> = {}) =>
  sagemaker.send(
    new InvokeEndpointCommand({
      EndpointName: ENDPOINT,
      ContentType: 'application/json',
      Accept: 'application/json',
      Body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
      ...extra,
    }),
  );

const decode = (body: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(body));

// Order matters here: the server starts without a model.
describe('before the model is loaded', () => {
  it('answers GET /ping with 503, so SageMaker sends it no traffic', async () => {
    const res = await fetch(`${url}/ping`);
    expect(res.status).toBe(503);
  });

  it('answers invocations with 503 on the container path and ServiceUnavailable through the SDK', async () => {
    expect((await post('/invocations', { history: [], k: 3 })).status).toBe(503);
    await expect(invoke({ history: [], k: 3 })).rejects.toBeInstanceOf(ServiceUnavailable);
  });
});

describe('once the model is loaded', () => {
  beforeAll(() => server.load(testModel()));

  it('answers GET /ping with 200 and the model version', async () => {
    const res = await fetch(`${url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', modelVersion: TEST_MODEL_VERSION });
  });

  it('POST /invocations answers {items: [{productId, score}], modelVersion} and reports its variant', async () => {
    const res = await post('/invocations', { history: [], k: 3 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-amzn-invoked-production-variant')).toBe(VARIANT);
    const body = (await res.json()) as any;
    expect(body.modelVersion).toBe(TEST_MODEL_VERSION);
    expect(body.items).toHaveLength(3);
    // No history, no product: popularity, best first (the model itself knows nothing of the catalog).
    expect(body.items[0]).toEqual({ productId: INACTIVE_PRODUCT_ID, score: 1 });
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual(['productId', 'score']);
  });

  it('answers with products bought together with `productId`, never the product itself', async () => {
    const body = (await (await post('/invocations', { history: [], productId: 'ECI-LT-001', k: 4 })).json()) as any;
    expect(body.items.map((i: { productId: string }) => i.productId)).toEqual([
      INACTIVE_PRODUCT_ID,
      'ECI-LT-003',
      'ECI-LT-004',
      'ECI-LT-002',
    ]);
  });

  it("puts a customer's own repeat purchases first when given their history", async () => {
    const history = [
      { productId: 'ECI-CL-002', quantity: 3, at: '2026-01-10T10:00:00Z' },
      { productId: 'ECI-CL-002', quantity: 2, at: '2026-02-10T10:00:00Z' },
    ];
    const body = (await (await post('/invocations', { history, k: 3, exclude: [INACTIVE_PRODUCT_ID] })).json()) as any;
    expect(body.items.map((i: { productId: string }) => i.productId).slice(0, 2)).toEqual(['ECI-CL-002', 'ECI-CL-001']);
    expect(body.items.map((i: { productId: string }) => i.productId)).not.toContain(INACTIVE_PRODUCT_ID);
  });

  it('works through the real SDK InvokeEndpoint on /endpoints/{name}/invocations, with the variant the SDK reads', async () => {
    const out = await invoke({ history: [], productId: 'ECI-KD-002', k: 2 });
    expect(out.ContentType).toBe('application/json');
    expect(out.InvokedProductionVariant).toBe(VARIANT);
    expect(decode(out.Body)).toEqual({
      items: [
        { productId: 'ECI-KD-003', score: expect.any(Number) },
        { productId: 'ECI-KD-001', score: expect.any(Number) },
      ],
      modelVersion: TEST_MODEL_VERSION,
    });
  });

  it('answers the same through the container path and the runtime path', async () => {
    const request = { history: [{ productId: 'ECI-LT-001', quantity: 2 }], k: 5 };
    const direct = await (await post('/invocations', request)).json();
    expect(decode((await invoke(request)).Body)).toEqual(direct);
  });

  it('honours X-Amzn-SageMaker-Target-Variant: its own variant answers, another is a ValidationError', async () => {
    const out = await invoke({ history: [], k: 1 }, { TargetVariant: VARIANT });
    expect(out.InvokedProductionVariant).toBe(VARIANT);
    const error = await invoke({ history: [], k: 1 }, { TargetVariant: 'VariantA' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/VariantA/);
  });

  it('refuses another endpoint name as SageMaker does (ValidationError, endpoint not found)', async () => {
    const error = await invoke({ history: [], k: 1 }, { EndpointName: 'someone-elses-endpoint' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/someone-elses-endpoint not found/);
  });
});

describe('bad input', () => {
  beforeAll(() => server.load(testModel()));

  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{"history": [', /not valid JSON/],
    ['a JSON array', [], /expected object/i],
    ['no k', { history: [] }, /^Invalid request: k: /],
    ['no history', { k: 3 }, /^Invalid request: history: /],
    ['k of 0', { history: [], k: 0 }, /k: Must be at least 1/],
    ['k of 501', { history: [], k: 501 }, /k: Must be at most 500/],
    ['a fractional k', { history: [], k: 2.5 }, /k: Must be a whole number/],
    ['k as a string', { history: [], k: '3' }, /k: /],
    ['history not a list', { history: 'ECI-LT-001', k: 3 }, /history: /],
    ['a history line without productId', { history: [{ quantity: 1 }], k: 3 }, /history\.0\.productId: /],
    [
      'an empty productId in history',
      { history: [{ productId: '' }], k: 3 },
      /history\.0\.productId: Must not be empty/,
    ],
    [
      'a zero quantity',
      { history: [{ productId: 'ECI-LT-001', quantity: 0 }], k: 3 },
      /history\.0\.quantity: Must be at least 1/,
    ],
    [
      'an `at` that is no date',
      { history: [{ productId: 'ECI-LT-001', at: 'yesterday' }], k: 3 },
      /history\.0\.at: Must be an ISO 8601 date-time/,
    ],
    ['an unknown field', { history: [], k: 3, limit: 3 }, /limit/],
    ['exclude not a list of ids', { history: [], k: 3, exclude: [1] }, /exclude\.0: /],
  ];

  it.each(cases)('answers %s with 400 and a message naming the problem', async (_label, body, message) => {
    const res = await post('/invocations', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as any;
    expect(json.message).toMatch(message);
  });

  it('answers a body that is not declared JSON with 415, and an oversize one with 413', async () => {
    expect((await post('/invocations', 'k=3', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
      415,
    );
    const small = createModelServer({ model: testModel(), maxPayloadBytes: 1024 });
    const { url: smallUrl } = await small.listen(0);
    try {
      const res = await fetch(`${smallUrl}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ history: [], k: 1, exclude: Array(200).fill('ECI-LT-001') }),
      });
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('surfaces bad input through the SDK as SageMaker does: a ModelError carrying the 400 and its message', async () => {
    const error = await invoke({ history: [], k: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).$metadata.httpStatusCode).toBe(424);
    expect((error as ModelError).OriginalStatusCode).toBe(400);
    expect((error as ModelError).OriginalMessage).toMatch(/k: Must be at least 1/);
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await fetch(`${url}/predict`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/invocations`)).status).toBe(405);
    expect((await fetch(`${url}/ping`, { method: 'POST' })).status).toBe(405);
  });
});

describe('model artifacts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecicomm-model-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads model.json from a model directory', async () => {
    writeTestModel(dir);
    expect((await loadArtifact(dir)).version).toBe(TEST_MODEL_VERSION);
  });

  it('refuses a missing, non-JSON or foreign model.json with a message saying what is wrong', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'ecicomm-model-empty-'));
    await expect(loadArtifact(empty)).rejects.toThrow(/No model.json/);
    rmSync(empty, { recursive: true });
    writeFileSync(path.join(dir, 'model.json'), '{"format": "ecicomm-recs/1", "version": "x"');
    await expect(loadArtifact(dir)).rejects.toThrow(/not JSON/);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ ...testModel(), format: 'someone-else/2' }));
    await expect(loadArtifact(dir)).rejects.toBeInstanceOf(ArtifactError);
    writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({ ...testModel(), popularity: [['ECI-LT-001', 'high']] }),
    );
    await expect(loadArtifact(dir)).rejects.toThrow(/popularity\.0\.1/);
  });

  it('`npm run ml:serve -- --model DIR --port 0` serves it: /ping 200 and invocations answered', async () => {
    writeTestModel(dir);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'ml/bin/serve.ts', '--model', dir, '--port', '0', '--variant', 'cli-variant'],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const served = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /model \S+ loaded in \d+ ms: POST (http:\/\/[\d.]+:\d+)\/invocations/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`ml:serve exited ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`ml:serve not ready: ${out}`)), 20_000).unref();
      });
      expect((await fetch(`${served}/ping`)).status).toBe(200);
      const res = await fetch(`${served}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"history":[],"k":2}',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amzn-invoked-production-variant')).toBe('cli-variant');
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
