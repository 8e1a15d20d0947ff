import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as contract from './contract';
import { expectAnswer, SmokeFailure } from './http';
import type { Check } from './checks';

const SHIPPING_ADDRESS = {
  name: 'Smoke Test',
  line1: '1 Pipeline Street',
  city: 'London',
  postalCode: 'EC1A 1BB',
  country: 'GB',
};

/**
 * One unit of the stage's smoke test product, bought by the throwaway shopper with the test gateway's
 * approving token; passes once the saga has confirmed the order and charged it. Never run in Prod.
 */
export const checkout: Check = {
  name: 'checkout',
  needs: 'shopperToken',
  async run(ctx) {
    const productId = ctx.checkoutProductId;
    const product = await ctx.api.request('GET', `/products/${encodeURIComponent(productId)}`);
    if (product.status === 404)
      throw new SmokeFailure(
        `the checkout product ${productId} is not in this stage: deploy it with smokeTestProduct (ecicomm:stages), pass --product, or run with --no-checkout`,
      );
    const token = ctx.shopperToken;
    const accepted = expectAnswer(
      await ctx.api.request('POST', '/orders', {
        token,
        headers: { 'idempotency-key': randomUUID() },
        body: { shippingAddress: SHIPPING_ADDRESS, paymentToken: 'tok_visa', items: [{ productId, quantity: 1 }] },
      }),
      202,
      contract.OrderAccepted,
      'POST /v1/orders',
    );
    const path = `/orders/${encodeURIComponent(accepted.orderId)}`;
    const deadline = Date.now() + ctx.orderTimeoutMs;
    for (;;) {
      const order = expectAnswer(await ctx.api.request('GET', path, { token }), 200, contract.Order, `GET /v1${path}`);
      if (order.status === 'CONFIRMED') {
        if (order.payment.status !== 'CHARGED')
          throw new SmokeFailure(
            `order ${order.orderId} is CONFIRMED with payment ${order.payment.status}, not CHARGED`,
          );
        return `order ${order.orderId} CONFIRMED and charged`;
      }
      if (order.status === 'CANCELLED')
        throw new SmokeFailure(
          `order ${order.orderId} is ${order.status} (${order.failureReason ?? `payment ${order.payment.status}`}), not CONFIRMED`,
        );
      if (Date.now() >= deadline)
        throw new SmokeFailure(`order ${order.orderId} still PENDING after ${ctx.orderTimeoutMs / 1000} s`);
      await sleep(ctx.pollIntervalMs);
    }
  },
};
