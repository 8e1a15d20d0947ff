/**
 * The local substrate's model lifecycle (lib/local/recommendations.ts): a model on disk is served at
 * once; an unusable one does not stop the platform; without one, the seed catalog's ranking is written
 * and a model is trained in the background (the real trainer, on the demo catalog's synthetic history),
 * then served, and its ranking replaces the catalog's. DynamoDB is a fake that records the aggregates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { POPULAR_AGGREGATE_ID } from '../../functions/recommendations/adapters/dynamo-popular';
import { projectRoot } from '@ecicomm/local-platform/platform';
import {
  LOCAL_ENDPOINT_NAME,
  prepareLocalRecommendations,
  type LocalRecommendations,
  type StartContext,
} from '@ecicomm/local-platform/recommendations';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { demoHistory } from '@ecicomm/local-platform/seed/demo-history';
import { TEST_MODEL_VERSION, writeTestModel } from '../support/recommendation-model';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-local-recs-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const written: { id: string; modelVersion: string; items: [string, number][] }[] = [];
  const dynamo = {
    send: async (command: { input: { Item: (typeof written)[number] } }) => void written.push(command.input.Item),
  } as unknown as DynamoDBDocumentClient;
  const logs: string[] = [];
  const context = (overrides: Partial<StartContext> = {}): StartContext => ({
    dynamo,
    aggregatesTable: 'aggregates',
    catalogSource: 'demo',
    projectRoot,
    log: (m) => void logs.push(m),
    ...overrides,
  });
  const prepare = async (
    options: Parameters<typeof prepareLocalRecommendations>[0] extends infer O ? Omit<O, 'dataDir'> : never = {},
  ) => {
    const recs = await prepareLocalRecommendations({ dataDir, ...options });
    cleanups.push(() => recs.stop());
    return recs;
  };
  return { dataDir, written, logs, context, prepare };
}

const ping = async (recs: LocalRecommendations) => (await fetch(`${recs.modelUrl}/ping`)).status;

describe('the local model server', () => {
  it('serves the model on disk at once, on a free port, and writes its ranking as the fallback aggregate', async () => {
    const { dataDir, written, context, prepare } = setup();
    writeTestModel(path.join(dataDir, 'model'));
    const recs = await prepare({ variant: 'local-b' });
    expect(recs.env).toEqual({
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: recs.modelUrl,
      SAGEMAKER_ENDPOINT_NAME: LOCAL_ENDPOINT_NAME,
      MODEL_VARIANT: 'local-b',
    });
    expect(await ping(recs)).toBe(503);
    await recs.start(context());
    expect(recs.state()).toEqual({ status: 'serving', version: TEST_MODEL_VERSION });
    expect(await recs.served()).toBe(TEST_MODEL_VERSION);
    expect(await ping(recs)).toBe(200);
    expect(written).toEqual([expect.objectContaining({ id: POPULAR_AGGREGATE_ID, modelVersion: TEST_MODEL_VERSION })]);
  });

  it('points the function elsewhere when told to (the test switchboard), with a shorter breaker pause', async () => {
    const { prepare } = setup();
    const recs = await prepare({ endpointUrl: 'http://127.0.0.1:9', breakerHalfOpenMs: 500 });
    expect(recs.env).toMatchObject({
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: 'http://127.0.0.1:9',
      MODEL_BREAKER_HALF_OPEN_MS: '500',
    });
  });

  it('keeps the platform up when the model on disk is unusable: the seed ranking is the fallback, /ping stays 503', async () => {
    const { dataDir, written, logs, context, prepare } = setup();
    writeTestModel(path.join(dataDir, 'model'));
    writeFileSync(path.join(dataDir, 'model', 'model.json'), '{"format":"ecicomm-recs/0"}');
    const recs = await prepare({ train: false });
    await recs.start(context({ catalog: DEMO_CATALOG }));
    expect(recs.state().status).toBe('no-model');
    expect(await ping(recs)).toBe(503);
    expect(logs.join('\n')).toMatch(/not an ecicomm-recs\/1 model artifact/);
    expect(written).toEqual([expect.objectContaining({ modelVersion: 'catalog-popularity' })]);
    expect(written[0]!.items[0]).toEqual(['ECI-BG-001', 866]);
  });

  it('trains a model in the background from the demo history when there is none, then serves it', async () => {
    const { written, logs, context, prepare } = setup();
    const recs = await prepare({ train: true });
    await recs.start(context({ catalog: DEMO_CATALOG }));
    expect(recs.state().status).toBe('training');
    // Meanwhile the function has the seed catalog's ranking to fall back on.
    expect(written.map((w) => w.modelVersion)).toEqual(['catalog-popularity']);
    const version = await recs.served();
    expect(recs.state()).toEqual({ status: 'serving', version });
    expect(await ping(recs)).toBe(200);
    expect(written.map((w) => w.modelVersion)).toEqual(['catalog-popularity', version]);
    expect(logs.join('\n')).toMatch(/trained \S+ in [\d.]+ s/);
    const res = await fetch(`${recs.modelUrl}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"history":[],"k":3}',
    });
    const body = (await res.json()) as { items: { productId: string }[] };
    for (const item of body.items) expect(DEMO_CATALOG.map((p) => p.id)).toContain(item.productId);
  }, 60_000);
});

describe('the demo history', () => {
  it('is the same every time, in the dataset format, with repeat customers', () => {
    const a = demoHistory(DEMO_CATALOG);
    expect(demoHistory(DEMO_CATALOG).csv).toBe(a.csv);
    const [header, ...rows] = a.csv.trim().split('\n');
    expect(header).toBe(
      '"InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"',
    );
    expect(rows).toHaveLength(a.lines);
    const byCustomer = new Map<string, Set<string>>();
    for (const row of rows) {
      const fields = row.split(',');
      const invoices = byCustomer.get(fields[6]!) ?? new Set();
      byCustomer.set(fields[6]!, invoices.add(fields[0]!));
    }
    // Every customer orders at least twice: there is a history to predict the next order from.
    expect([...byCustomer.values()].every((invoices) => invoices.size >= 2)).toBe(true);
    expect(a.until).toMatch(/^2025-12-3\d$|^2026-01-01$/);
  });
});
