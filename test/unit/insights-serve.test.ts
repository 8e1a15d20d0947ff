/**
 * Serving the demand-insights model: the model server on an insights artifact (the container contract and
 * the runtime path through the real @aws-sdk/client-sagemaker-runtime), the runtime router that answers
 * both endpoints behind one URL (as the local platform runs it), loading either format from a model
 * directory, and `npm run ml:serve` on an insights model.
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
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeCursor } from '../../ml/src/insights/cursor';
import { ArtifactError } from '../../ml/src/serve/artifact';
import { loadServedModel } from '../../ml/src/serve/load';
import { createRuntimeRouter, type RuntimeRouter } from '../../ml/src/serve/router';
import { createModelServer, type ModelServer } from '../../ml/src/serve/server';
import { TEST_INSIGHTS_VERSION, testInsightsModel, writeTestInsightsModel } from '../support/insights-model';
import { TEST_MODEL_VERSION, testModel, writeTestModel } from '../support/recommendation-model';

const RECS = 'ecicomm-local-recommendations';
const INSIGHTS = 'ecicomm-local-insights';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const sdk = (endpoint: string) => {
  const client = new SageMakerRuntimeClient({
    region: 'eu-west-2',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  cleanups.push(() => client.destroy());
  return (EndpointName: string, body: unknown) =>
    client.send(
      new InvokeEndpointCommand({
        EndpointName,
        ContentType: 'application/json',
        Body: new TextEncoder().encode(JSON.stringify(body)),
      }),
    );
};

const decode = (body: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(body));
const post = (url: string, body: unknown) =>
  fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function started(options: Parameters<typeof createModelServer>[0]) {
  const server = createModelServer(options);
  const { url } = await server.listen(0);
  cleanups.push(() => server.close());
  return { server, url };
}

describe('the model server on an insights artifact', () => {
  let url: string;
  let invoke: ReturnType<typeof sdk>;
  beforeAll(async () => {
    ({ url } = await started({ endpointName: INSIGHTS, model: testInsightsModel() }));
    invoke = sdk(url);
  });

  it('answers /ping with the insights model version', async () => {
    const res = await fetch(`${url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', modelVersion: TEST_INSIGHTS_VERSION });
  });

  it('answers every task on the container path', async () => {
    const forecast = await post(url, { task: 'forecast', productIds: ['ECI-LT-001'], weeks: 2 });
    expect(forecast.status).toBe(200);
    expect(((await forecast.json()) as { items: { weeks: unknown[] }[] }).items[0].weeks).toHaveLength(2);
    for (const body of [
      { task: 'segments' },
      { task: 'segmentCustomers', segment: 'regular-retail', limit: 5 },
      { task: 'assignSegment', features: { recency: 1, frequency: 30, monetary: 20000, tenure: 365, breadth: 200 } },
      { task: 'pricing', productId: 'ECI-LT-001', currentPrice: 3.5 },
    ])
      expect((await post(url, body)).status).toBe(200);
  });

  it.each([
    ['an unknown task', { task: 'recommend' }, /^Invalid request: task: /],
    ['a recommendation request', { history: [], k: 3 }, /^Invalid request: task: /],
    ['weeks of 27', { task: 'forecast', productIds: ['ECI-LT-001'], weeks: 27 }, /^Invalid request: weeks: /],
    ['no products', { task: 'forecast', productIds: [], weeks: 4 }, /productIds: At least one product/],
    ['an unknown field', { task: 'segments', extra: 1 }, /^Invalid request: /],
    ['a segment that is not a slug', { task: 'segmentCustomers', segment: 'Big Spenders', limit: 5 }, /segment: /],
    ['a negative price', { task: 'pricing', productId: 'ECI-LT-001', currentPrice: -1 }, /currentPrice: /],
    [
      'a malformed cursor',
      { task: 'segmentCustomers', segment: 'regular-retail', limit: 5, cursor: '%%%' },
      /cursor: Malformed cursor/,
    ],
    [
      "another model's cursor",
      {
        task: 'segmentCustomers',
        segment: 'regular-retail',
        limit: 5,
        cursor: encodeCursor('old', 'regular-retail', 5),
      },
      /cursor: The cursor belongs to model old/,
    ],
  ])('answers %s with 400 and a message', async (_what, body, message) => {
    const res = await post(url, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });

  it('answers through the SDK, and surfaces bad input as the runtime does: a 424 ModelError carrying the 400', async () => {
    const out = await invoke(INSIGHTS, { task: 'segments' });
    expect(decode(out.Body).items).toHaveLength(3);
    const error = await invoke(INSIGHTS, {
      task: 'segmentCustomers',
      segment: 'regular-retail',
      limit: 5,
      cursor: 'x',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).$metadata.httpStatusCode).toBe(424);
    expect((error as ModelError).OriginalStatusCode).toBe(400);
    expect((error as ModelError).OriginalMessage).toMatch(/Malformed cursor/);
  });
});

describe('one runtime in front of both endpoints', () => {
  let router: RuntimeRouter;
  let runtimeUrl: string;
  let insights: ModelServer;
  let invoke: ReturnType<typeof sdk>;
  beforeAll(async () => {
    const recs = (await started({ variant: 'local', model: testModel() })).server;
    insights = (await started({ variant: 'local' })).server;
    router = createRuntimeRouter({ [RECS]: recs, [INSIGHTS]: insights });
    ({ url: runtimeUrl } = await router.listen(0));
    cleanups.push(() => router.close());
    invoke = sdk(runtimeUrl);
  });

  it('is ServiceUnavailable for an endpoint whose model is not loaded yet, while the other answers', async () => {
    await expect(invoke(INSIGHTS, { task: 'segments' })).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(decode((await invoke(RECS, { history: [], k: 2 })).Body).modelVersion).toBe(TEST_MODEL_VERSION);
  });

  it('sends each endpoint name to its own model, with the variant that answered', async () => {
    insights.load(testInsightsModel());
    const out = await invoke(INSIGHTS, { task: 'pricing', productId: 'ECI-KD-001', currentPrice: 6.5 });
    expect(out.InvokedProductionVariant).toBe('local');
    expect(decode(out.Body)).toMatchObject({ productId: 'ECI-KD-001', suggestedPrice: 7.5 });
    expect(decode((await invoke(RECS, { history: [], productId: 'ECI-KD-002', k: 1 })).Body).items).toEqual([
      { productId: 'ECI-KD-003', score: expect.any(Number) },
    ]);
  });

  it("refuses a model's invocation on the other endpoint as that model's bad input (424, 400 inside)", async () => {
    const error = await invoke(RECS, { task: 'segments' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).OriginalStatusCode).toBe(400);
  });

  it('answers an unknown endpoint name with the ValidationError SageMaker gives', async () => {
    const error = await invoke('ecicomm-local-forecasts', { task: 'segments' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe('Endpoint ecicomm-local-forecasts not found.');
  });

  it("has no container paths of its own: /ping and /invocations are the model servers'", async () => {
    expect((await fetch(`${runtimeUrl}/ping`)).status).toBe(404);
    expect((await post(runtimeUrl, { task: 'segments' })).status).toBe(404);
  });
});

describe('loading a model directory of either format', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecicomm-insights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the formats apart by model.json', async () => {
    expect((await loadServedModel(writeTestInsightsModel(path.join(dir, 'insights')))).version).toBe(
      TEST_INSIGHTS_VERSION,
    );
    expect((await loadServedModel(writeTestModel(path.join(dir, 'recs')))).version).toBe(TEST_MODEL_VERSION);
  });

  it('refuses a format it does not serve, and a broken insights artifact, naming the problem', async () => {
    const foreign = writeTestModel(path.join(dir, 'foreign'));
    writeFileSync(path.join(foreign, 'model.json'), '{"format":"ecicomm-churn/1"}');
    await expect(loadServedModel(foreign)).rejects.toThrow(
      /format "ecicomm-churn\/1" is none of ecicomm-recs\/1, ecicomm-insights\/1/,
    );
    const broken = writeTestInsightsModel(path.join(dir, 'broken'), { ...testInsightsModel(), asOf: 'soon' });
    await expect(loadServedModel(broken)).rejects.toThrow(ArtifactError);
    await expect(loadServedModel(broken)).rejects.toThrow(/not an ecicomm-insights\/1 model artifact: asOf: /);
  });

  it('`npm run ml:serve -- --model DIR` serves an insights model as the container would', async () => {
    const model = writeTestInsightsModel(path.join(dir, 'served'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'ml/bin/serve.ts', '--model', model, '--port', '0'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const served = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /ecicomm-insights\/1 model \S+ loaded in \d+ ms: POST (http:\/\/[\d.]+:\d+)\/invocations/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`ml:serve exited ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`ml:serve not ready: ${out}`)), 20_000).unref();
      });
      const res = await post(served, { task: 'forecast', productIds: ['ECI-XM-001', 'NOPE'], weeks: 1 });
      expect(await res.json()).toMatchObject({ unknown: ['NOPE'], items: [{ productId: 'ECI-XM-001' }] });
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
