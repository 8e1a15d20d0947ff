/**
 * Domain events on the running platform: committed changes reach the `ecicomm-events` bus through the table
 * publishers, each `detail` valid against its schema (functions/events/schemas.ts, docs/EVENTS.md). Observed as a
 * consumer would: a rule on the bus with an SQS target, created for this file and removed after it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DETAIL_SCHEMAS, type DetailType } from '../../functions/events/schemas';
import { adminSession, api, newShopper, type Shopper } from '../support/api';
import { EventObserver } from '../support/event-observer';
import { checkout, productWithStock } from '../support/checkout';
import { eventually } from '../support/eventually';

interface Received {
  source: string;
  'detail-type': DetailType;
  detail: Record<string, unknown>;
}

const RULE = `domain-events-test-${randomUUID().slice(0, 8)}`;
const observer = new EventObserver<Received>(RULE);
let shopper: Shopper;
let productId: string;

/** What the observer has seen that matches. */
async function received(match: (event: Received) => boolean): Promise<Received[]> {
  return (await observer.drain()).filter(match);
}

beforeAll(async () => {
  shopper = await newShopper();
  // The rule is there before the product is written: its ProductCreated (matched by the product's name, its id
  // not known yet) may reach the bus before this hook's next request does. Then the rule also takes the id.
  const productName = `Domain Events Test ${randomUUID().slice(0, 8)}`;
  const patternOf = (...more: object[]) => ({ $or: [{ detail: { userId: [shopper.userId] } }, ...more] });
  await observer.start(patternOf({ detail: { name: [productName] } }));
  productId = await productWithStock(50, 1250, productName);
  await observer.setPattern(patternOf({ detail: { name: [productName] } }, { detail: { productId: [productId] } }));
});

afterAll(async () => {
  await observer.stop();
});

describe('domain events on the bus', () => {
  it('publishes OrderPlaced then OrderConfirmed for a paid order, with its lines, totals and address', async () => {
    const order = await checkout(shopper, { items: [{ productId, quantity: 2 }] });
    expect(order.status).toBe('CONFIRMED');
    const ofOrder = (type: DetailType) => (e: Received) =>
      e['detail-type'] === type && e.detail.orderId === order.orderId;
    await eventually(async () => expect(await received(ofOrder('OrderConfirmed'))).toHaveLength(1), {
      timeout: 20_000,
      interval: 200,
    });
    const [placed] = await received(ofOrder('OrderPlaced'));
    expect(placed).toMatchObject({ source: 'ecicomm.orders', detail: { userId: shopper.userId, total: order.total } });
    const [confirmed] = await received(ofOrder('OrderConfirmed'));
    expect(confirmed.detail).toMatchObject({
      items: [expect.objectContaining({ productId, quantity: 2, unitPrice: 1250, lineTotal: 2500 })],
      subtotal: order.subtotal,
      total: order.total,
      shippingAddress: order.shippingAddress,
      chargeId: order.payment.chargeId,
    });
  });

  it('publishes OrderCancelled with why and what happened to the money for a declined card', async () => {
    const order = await checkout(shopper, { items: [{ productId, quantity: 1 }], paymentToken: 'tok_chargeDeclined' });
    expect(order.status).toBe('CANCELLED');
    const cancelled = (e: Received) => e['detail-type'] === 'OrderCancelled' && e.detail.orderId === order.orderId;
    await eventually(async () => expect(await received(cancelled)).toHaveLength(1), { timeout: 20_000, interval: 200 });
    expect((await received(cancelled))[0].detail).toMatchObject({
      failureReason: 'PAYMENT_DECLINED',
      paymentStatus: 'DECLINED',
    });
  });

  it('publishes ProductChanged naming the fields an admin changed', async () => {
    const { body: product } = await api(`/v1/products/${productId}`);
    const res = await api(`/v1/products/${productId}`, {
      method: 'PUT',
      token: await adminSession(),
      body: { version: product.version, price: 1300 },
    });
    expect(res.status).toBe(200);
    const changed = (e: Received) => e['detail-type'] === 'ProductChanged' && e.detail.version === res.body.version;
    await eventually(async () => expect(await received(changed)).toHaveLength(1), { timeout: 20_000, interval: 200 });
    expect((await received(changed))[0].detail).toMatchObject({ productId, changedFields: ['price'], price: 1300 });
    expect(await received((e) => e['detail-type'] === 'ProductCreated')).toHaveLength(1);
  });

  it('publishes only events whose detail passes its schema', async () => {
    expect(observer.seen.length).toBeGreaterThanOrEqual(5);
    for (const event of observer.seen)
      expect(DETAIL_SCHEMAS[event['detail-type']].safeParse(event.detail).success).toBe(true);
  });
});
