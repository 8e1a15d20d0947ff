import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminSession, api, newShopper } from '../support/api';

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

async function productWithStock(available: number, price = 1000) {
  const token = await adminSession();
  const res = await api('/v1/products', {
    method: 'POST',
    token,
    body: {
      name: `Checkout Test ${randomUUID().slice(0, 6)}`,
      description: '',
      category: 'other',
      brand: 'Test',
      price,
      currency: 'GBP',
      initialStock: available,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function waitForTerminal(orderId: string, token: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(`/v1/orders/${orderId}`, { token });
    if (res.body.status !== 'PENDING' || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('checkout smoke', () => {
  it('confirms an order paid with tok_visa and commits its stock', async () => {
    const shopper = await newShopper();
    const productId = await productWithStock(5);
    const placed = await api('/v1/orders', {
      method: 'POST',
      token: shopper.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: address, paymentToken: 'tok_visa', items: [{ productId, quantity: 2 }] },
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(202);
    const order = await waitForTerminal(placed.body.orderId, shopper.token);
    expect(order.status).toBe('CONFIRMED');
    expect(order.payment.status).toBe('CHARGED');
    const stock = await api(`/v1/inventory/${productId}`, { token: await adminSession() });
    expect(stock.body).toEqual({ productId, available: 3, reserved: 0 });
  });

  it('cancels a declined order and releases its stock', async () => {
    const shopper = await newShopper();
    const productId = await productWithStock(5);
    const placed = await api('/v1/orders', {
      method: 'POST',
      token: shopper.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { shippingAddress: address, paymentToken: 'tok_chargeDeclined', items: [{ productId, quantity: 2 }] },
    });
    const order = await waitForTerminal(placed.body.orderId, shopper.token);
    expect(order).toMatchObject({
      status: 'CANCELLED',
      failureReason: 'PAYMENT_DECLINED',
      payment: { status: 'DECLINED' },
    });
    const stock = await api(`/v1/inventory/${productId}`, { token: await adminSession() });
    expect(stock.body).toEqual({ productId, available: 5, reserved: 0 });
  });
});
