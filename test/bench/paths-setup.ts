/**
 * The paths section's fixture: a recommendation model trained on the demo catalog's history, the platform child
 * serving it, and one signed-in shopper with what each measured path reads — a confirmed order (so a purchase
 * history, hence a personal request to the model and a segment lookup), and a cart of three lines.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { writeDemoHistory } from '@ecicomm/local-platform/seed/demo-history';
import { DynamoPurchases } from '../../functions/recommendations/adapters/dynamo-purchases';
import { apiClient, type ApiClient, BENCH_ADDRESS as ADDRESS } from './api-client';
import { cpuMeter, startPlatformChild } from './platform-process';
import { train } from './recommendations';
import type { BenchContext } from './report';

const SETTLE_TIMEOUT_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something, or fails naming `what`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${SETTLE_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

/** The recommendation model as `npm start` trains it on the demo catalog's synthetic history. */
export async function trainDemoModel(ctx: BenchContext, work: string): Promise<{ modelDir: string; version: string }> {
  const demo = writeDemoHistory(path.join(work, 'demo-history'), DEMO_CATALOG);
  const modelDir = path.join(work, 'model');
  ctx.log('paths: training the recommendation model on the demo history');
  const run = await train(ctx, 'demo history', demo.dir, modelDir, demo.until);
  if (run.outcome !== 'trained' || !run.version)
    throw new Error(`the recommendation model could not be trained: ${run.outcome} ${run.error ?? ''}`);
  return { modelDir, version: run.version };
}

/** A new shopper with a confirmed order of three products (recorded in their purchase history) and a cart. */
async function seedShopper(api: ApiClient, productIds: string[], history: DynamoPurchases) {
  const email = `paths-${randomUUID().slice(0, 8)}@example.com`;
  const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
  const { userId } = await api.ok<{ userId: string }>('/v1/users', {
    method: 'POST',
    body: { email, password, firstName: 'Bench', lastName: 'Paths' },
  });
  const { idToken: token } = await api.ok<{ idToken: string }>('/v1/auth/login', {
    method: 'POST',
    body: { email, password },
  });
  const items = productIds.slice(0, 3).map((productId, i) => ({ productId, quantity: 1 + i }));
  const { orderId } = await api.ok<{ orderId: string }>('/v1/orders', {
    method: 'POST',
    token,
    headers: { 'idempotency-key': randomUUID() },
    body: { shippingAddress: ADDRESS, paymentToken: 'tok_visa', items },
  });
  await until(`order ${orderId} confirmed`, async () => {
    const order = await api.ok<{ status: string }>(`/v1/orders/${orderId}`, { token });
    if (order.status === 'CANCELLED') throw new Error(`order ${orderId} was cancelled`);
    return order.status === 'CONFIRMED' ? true : undefined;
  });
  const lines = await until(`purchase history of ${userId}`, async () => {
    const found = await history.recentLines(userId);
    return found.length ? found : undefined;
  });
  for (const productId of productIds.slice(3, 6))
    await api.ok('/v1/cart/items', { method: 'POST', token, body: { productId, quantity: 1 } });
  return { userId, token, orderId, lines };
}
export type PathsShopper = Awaited<ReturnType<typeof seedShopper>>;

/** The platform child serving `modelDir`, clients of its DynamoDB Local and SageMaker runtime, and the shopper. */
export async function startPathsTarget(ctx: BenchContext, modelDir: string) {
  ctx.log('paths: starting the local platform in a child process');
  const { info, child } = await startPlatformChild(ctx, { label: 'paths', env: { BENCH_MODEL_DIR: modelDir } });
  const api = apiClient(info.apiUrl);
  const credentials = { accessKeyId: info.env.AWS_ACCESS_KEY_ID, secretAccessKey: info.env.AWS_SECRET_ACCESS_KEY };
  const dynamo = new DynamoDBClient({ region: info.region, endpoint: info.dynamoEndpoint, credentials });
  const sagemaker = new SageMakerRuntimeClient({
    region: info.region,
    endpoint: info.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME,
    credentials,
    maxAttempts: 1,
  });
  ctx.defer(() => {
    dynamo.destroy();
    sagemaker.destroy();
  });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const listing = await api.ok<{ items: { id: string }[] }>('/v1/products?limit=20');
  if (listing.items.length < 6) throw new Error(`the seeded catalog has ${listing.items.length} active products`);
  const productIds = listing.items.map((p) => p.id);
  const shopper = await seedShopper(api, productIds, new DynamoPurchases(doc, info.tableNames.purchaseHistory));
  const cpu = cpuMeter({ platformChild: child.pid!, dynamodbLocal: info.pids[0] });
  return { info, api, doc, sagemaker, shopper, anchor: productIds[0], cpu };
}
export type PathsTarget = Awaited<ReturnType<typeof startPathsTarget>>;
