/**
 * The generated TypeScript client (clients/typescript/) against the running platform: the platform serves the
 * document the client was generated from, and typed calls go through checkout — an anonymous cart merged on
 * sign-in, an order placed and confirmed — with errors in the contract's shape. The type checker (npm run
 * typecheck) holds the client to the contract: the calls marked @ts-expect-error below must not compile.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { createEciCommClient, type EciCommClient } from '../../clients/typescript';
import { adminSession, platform, strongPassword } from '../support/api';

const baseUrl = () => `${platform().apiUrl}/v1`;
const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls the type checker refuses: never run, only compiled. */
export const refusedByTheTypes = (api: EciCommClient) => [
  // @ts-expect-error quantity is a number
  api.POST('/cart/items', { body: { productId: 'p', quantity: '1' } }),
  // @ts-expect-error placing an order needs its Idempotency-Key header
  api.POST('/orders', { body: { shippingAddress: address, paymentToken: 'tok_visa' } }),
  // @ts-expect-error there is no such route
  api.GET('/products/{id}/reviews', { params: { path: { id: 'p' } } }),
  // @ts-expect-error a product's path takes its id
  api.GET('/products/{id}', {}),
];

describe('the generated TypeScript client', () => {
  it('was generated from the document the platform serves', async () => {
    const served = await (await fetch(`${baseUrl()}/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(readFileSync(new URL('../../clients/openapi.json', import.meta.url), 'utf8')));
  });

  it('checks out with typed calls: an anonymous cart, sign-in and merge, an order the saga confirms', async () => {
    const admin = createEciCommClient({ baseUrl: baseUrl(), token: await adminSession() });
    const created = await admin.POST('/products', {
      body: {
        name: `Typed Lantern ${randomUUID().slice(0, 6)}`,
        description: 'made by the typed client',
        category: 'lighting',
        brand: 'Test',
        price: 1250,
        currency: 'GBP',
        initialStock: 5,
      },
    });
    expect(created.response.status).toBe(201);
    const product = created.data!;

    const sessionId = randomUUID();
    const anonymous = createEciCommClient({ baseUrl: baseUrl(), sessionId });
    const fetched = await anonymous.GET('/products/{id}', { params: { path: { id: product.id } } });
    expect([fetched.data?.name, fetched.data?.price]).toEqual([product.name, 1250]);
    const cart = await anonymous.POST('/cart/items', { body: { productId: product.id, quantity: 2 } });
    expect(cart.data?.items.map((i) => [i.productId, i.quantity])).toEqual([[product.id, 2]]);

    const email = `typed-${randomUUID()}@example.com`;
    const password = strongPassword();
    const registered = await anonymous.POST('/users', {
      body: { email, password, firstName: 'Typed', lastName: 'Shopper' },
    });
    expect([registered.response.status, registered.data?.email]).toEqual([201, email]);
    const login = await anonymous.POST('/auth/login', { body: { email, password } });
    let token = login.data!.idToken;
    const shopper = createEciCommClient({ baseUrl: baseUrl(), token: () => token });
    const merged = await shopper.POST('/cart/merge', { body: { sessionId } });
    expect(merged.data?.items.map((i) => [i.productId, i.quantity])).toEqual([[product.id, 2]]);

    const placed = await shopper.POST('/orders', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      body: { shippingAddress: address, paymentToken: 'tok_visa' },
    });
    expect([placed.response.status, placed.data?.status, placed.data?.total]).toEqual([
      202,
      'PENDING',
      merged.data?.total,
    ]);
    const orderId = placed.data!.orderId;
    let order = (await shopper.GET('/orders/{orderId}', { params: { path: { orderId } } })).data!;
    for (let i = 0; i < 150 && order.status === 'PENDING'; i++) {
      await sleep(100);
      order = (await shopper.GET('/orders/{orderId}', { params: { path: { orderId } } })).data!;
    }
    expect([order.status, order.payment.status, order.items.map((i) => [i.productId, i.quantity])]).toEqual([
      'CONFIRMED',
      'CHARGED',
      [[product.id, 2]],
    ]);

    // The token is read at each call: signed out, the edge refuses, in the contract's shape.
    token = '';
    const signedOut = await shopper.GET('/orders/{orderId}', { params: { path: { orderId } } });
    expect([signedOut.response.status, signedOut.error?.error.code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it("returns the contract's errors typed: a 404, and a 400 naming the field", async () => {
    const api = createEciCommClient({ baseUrl: baseUrl(), sessionId: randomUUID() });
    const missing = await api.GET('/products/{id}', { params: { path: { id: 'no-such-product' } } });
    expect([missing.response.status, missing.data, missing.error?.error.code]).toEqual([404, undefined, 'NOT_FOUND']);
    const invalid = await api.POST('/cart/items', { body: { productId: 'x', quantity: 0 } });
    expect([
      invalid.response.status,
      invalid.error?.error.code,
      invalid.error?.error.details?.map((d) => d.path),
    ]).toEqual([400, 'VALIDATION_ERROR', ['quantity']]);
  });
});
