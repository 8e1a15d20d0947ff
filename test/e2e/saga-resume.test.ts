/**
 * A checkout saga cut off by a crash resumes where it stopped when `npm start` starts again on the same data
 * (lib/local/stepfunctions journals its executions): the order is confirmed by its own saga, charged once —
 * not left PENDING, and not cancelled by settlement, which is held off here by a long grace period.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { PlatformProcesses, type RunningPlatformProcess } from '../support/platform-process';
import { call as callApi, type CallOptions } from '../support/http-client';

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-resume-'));
const platforms = new PlatformProcesses(dataDir, {
  DATASET_DIR: path.join(dataDir, 'no-dataset-here'),
  SETTLEMENT_GRACE_SECONDS: '600',
  LOCAL_SWEEP_SECONDS: '1',
});
afterAll(() => {
  platforms.killEverything();
  rmSync(dataDir, { recursive: true, force: true });
});

let current: RunningPlatformProcess;
const call = (pathname: string, options: CallOptions = {}) => callApi(`${current.apiUrl}/v1`, pathname, options);
const signIn = async (email: string, password: string) =>
  (await call('/auth/login', { method: 'POST', body: { email, password } })).body.idToken as string;

describe('a saga killed mid-way', () => {
  it('resumes after the restart and confirms its order, charged once', async () => {
    current = await platforms.start({ LOCAL_FAULT_KILL_AFTER: 'ChargePayment:1' });
    const admin = await signIn('admin@example.com', 'Admin#2026local');
    const product = await call('/products', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Resume Test',
        description: 'x',
        category: 'other',
        brand: 'T',
        price: 1234,
        currency: 'GBP',
        initialStock: 5,
      },
    });
    const [email, password] = [`resume-${randomUUID().slice(0, 8)}@example.com`, `Pw!${randomUUID().slice(0, 8)}a9Z`];
    expect(
      (await call('/users', { method: 'POST', body: { email, password, firstName: 'Re', lastName: 'Sume' } })).status,
    ).toBe(201);
    const key = randomUUID();
    const body = {
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James Square',
        city: 'London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      paymentToken: 'tok_visa',
      items: [{ productId: product.body.id, quantity: 2 }],
    };
    const placed = await call('/orders', {
      method: 'POST',
      token: await signIn(email, password),
      headers: { 'idempotency-key': key },
      body,
    }).catch(() => undefined);
    expect(await current.exited).toBe('SIGKILL'); // charged, and killed before the saga went on

    current = await platforms.start();
    const token = await signIn(email, password);
    const orderId = placed?.body?.orderId ?? (await call('/orders', { token })).body.items[0]?.orderId;
    let order = (await call(`/orders/${orderId}`, { token })).body;
    for (let i = 0; i < 100 && order.status === 'PENDING'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      order = (await call(`/orders/${orderId}`, { token })).body;
    }
    expect(order).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CHARGED' }, items: [{ quantity: 2 }] });
    expect(
      (await call(`/inventory/${product.body.id}`, { token: await signIn('admin@example.com', 'Admin#2026local') }))
        .body,
    ).toEqual({ productId: product.body.id, available: 3, reserved: 0 });
    await platforms.stop(current);
  }, 240_000);
});
