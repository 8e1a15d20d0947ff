/**
 * The demand-insights model on the local substrate (lib/local/insights-model.ts): a model on disk is served at
 * once; an unusable one (or a recommendation model in its place) does not stop the platform; without one, the
 * injected trainer runs in the background — a promise or a child process — and its model is served; a trainer
 * that fails leaves the state `failed` with its reason. Then the platform's one SageMaker runtime answers both
 * endpoints by name (lib/local/platform/sagemaker-runtime.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeEndpointCommand, SageMakerRuntimeClient, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  LOCAL_INSIGHTS_ENDPOINT_NAME,
  prepareLocalInsights,
  type InsightsStartContext,
  type LocalInsightsOptions,
} from '@ecicomm/local-platform/insights-model';
import { startLocalSageMakerRuntime } from '@ecicomm/local-platform/platform/sagemaker-runtime';
import { LOCAL_ENDPOINT_NAME } from '@ecicomm/local-platform/recommendations';
import { createModelServer } from '../../ml/src/serve/server';
import { TEST_INSIGHTS_VERSION, writeTestInsightsModel } from '../support/insights-model';
import { TEST_MODEL_VERSION, testModel, writeTestModel } from '../support/recommendation-model';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-local-insights-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const context: InsightsStartContext = {
    catalogSource: 'demo',
    projectRoot: path.resolve(import.meta.dirname, '../..'),
    log: (m) => void logs.push(m),
  };
  const prepare = async (options: LocalInsightsOptions = {}) => {
    const insights = await prepareLocalInsights({ dataDir, ...options });
    cleanups.push(() => insights.stop());
    return insights;
  };
  return { dataDir, modelDir: path.join(dataDir, 'insights-model'), logs, context, prepare };
}

const ping = async (url: string) => (await fetch(`${url}/ping`)).status;

describe('the local insights model server', () => {
  it('serves the model in <dataDir>/insights-model at once, and names its endpoint for the functions', async () => {
    const { modelDir, context, prepare } = setup();
    writeTestInsightsModel(modelDir);
    const insights = await prepare();
    expect(insights.env).toEqual({ INSIGHTS_ENDPOINT_NAME: LOCAL_INSIGHTS_ENDPOINT_NAME });
    expect(insights.modelDir).toBe(modelDir);
    expect(await ping(insights.modelUrl)).toBe(503);
    await insights.start(context);
    expect(insights.state()).toEqual({ status: 'serving', version: TEST_INSIGHTS_VERSION });
    expect(await insights.served()).toBe(TEST_INSIGHTS_VERSION);
    expect(await ping(insights.modelUrl)).toBe(200);
  });

  it('has no model, and says why, without training or a trainer', async () => {
    const first = setup();
    const untrained = await first.prepare();
    await untrained.start(first.context);
    expect(untrained.state()).toEqual({ status: 'no-model', reason: `no model in ${first.modelDir}` });
    const second = setup();
    const noTrainer = await second.prepare({ train: true });
    await noTrainer.start(second.context);
    expect(noTrainer.state()).toEqual({ status: 'no-model', reason: 'no trainer given' });
  });

  it('keeps going when the directory holds a broken model or a recommendation model: no model, the reason logged', async () => {
    const { modelDir, logs, context, prepare } = setup();
    writeTestModel(modelDir);
    const insights = await prepare();
    await insights.start(context);
    expect(insights.state().status).toBe('no-model');
    expect(await ping(insights.modelUrl)).toBe(503);
    expect(logs.join('\n')).toMatch(/holds a ecicomm-recs\/1 model, not demand insights/);
    writeFileSync(path.join(modelDir, 'model.json'), '{"format":"ecicomm-insights/1"}');
    const again = await prepare();
    await again.start(context);
    expect(logs.join('\n')).toMatch(/not an ecicomm-insights\/1 model artifact/);
  });

  it('trains in the background with the injected trainer (a promise), then serves what it wrote', async () => {
    const { context, prepare, dataDir } = setup();
    let release!: () => void;
    const jobs: unknown[] = [];
    const insights = await prepare({
      train: true,
      trainer: async (job) => {
        jobs.push(job);
        await new Promise<void>((resolve) => (release = resolve));
        writeTestInsightsModel(job.modelDir);
      },
    });
    await insights.start(context);
    expect(insights.state().status).toBe('training');
    expect(jobs).toEqual([expect.objectContaining({ dataDir, modelDir: insights.modelDir, catalogSource: 'demo' })]);
    release();
    expect(await insights.served()).toBe(TEST_INSIGHTS_VERSION);
    expect(insights.state()).toEqual({ status: 'serving', version: TEST_INSIGHTS_VERSION });
  });

  it('reports a trainer process that fails, with its last words, as failed', async () => {
    const { context, prepare } = setup();
    const insights = await prepare({
      train: true,
      trainer: () =>
        spawn(process.execPath, ['-e', 'console.error("no data in /nowhere"); process.exit(3)'], {
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
    });
    await insights.start(context);
    await expect(insights.served()).rejects.toThrow(/exited with 3: no data in \/nowhere/);
    expect(insights.state()).toMatchObject({ status: 'failed', error: expect.stringMatching(/exited with 3/) });
  });

  it('reports a trainer that finishes without writing a model as failed', async () => {
    const { context, prepare } = setup();
    const insights = await prepare({ train: true, trainer: async () => undefined });
    await insights.start(context);
    await expect(insights.served()).rejects.toThrow(/without writing .*model\.json/);
  });
});

describe('the platform SageMaker runtime', () => {
  it('answers both endpoints by name, and an unknown name with a ValidationError', async () => {
    const { modelDir, context, prepare } = setup();
    writeTestInsightsModel(modelDir);
    const insights = await prepare();
    await insights.start(context);
    const recommendations = { server: createModelServer({ model: testModel() }) };
    const runtime = await startLocalSageMakerRuntime({
      endpoints: { [LOCAL_ENDPOINT_NAME]: recommendations.server, [LOCAL_INSIGHTS_ENDPOINT_NAME]: insights.server },
    });
    cleanups.push(() => runtime.stop());
    expect(runtime.env).toEqual({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: runtime.url });
    const client = new SageMakerRuntimeClient({
      region: 'eu-west-2',
      endpoint: runtime.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    cleanups.push(() => client.destroy());
    const call = (EndpointName: string, body: unknown) =>
      client.send(
        new InvokeEndpointCommand({ EndpointName, ContentType: 'application/json', Body: JSON.stringify(body) }),
      );
    const segments = await call(LOCAL_INSIGHTS_ENDPOINT_NAME, { task: 'segments' });
    expect(JSON.parse(new TextDecoder().decode(segments.Body)).items).toHaveLength(3);
    const recommended = await call(LOCAL_ENDPOINT_NAME, { history: [], k: 1 });
    expect(JSON.parse(new TextDecoder().decode(recommended.Body)).modelVersion).toBe(TEST_MODEL_VERSION);
    await expect(call('ecicomm-local-nothing', { task: 'segments' })).rejects.toBeInstanceOf(ValidationError);
  });

  it("points the functions at what stands in front of it when told to (the tests' switchboard)", async () => {
    const runtime = await startLocalSageMakerRuntime({ endpoints: {}, endpointUrl: 'http://127.0.0.1:9' });
    cleanups.push(() => runtime.stop());
    expect(runtime.env).toEqual({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: 'http://127.0.0.1:9' });
    expect(runtime.url).not.toBe('http://127.0.0.1:9');
  });
});
