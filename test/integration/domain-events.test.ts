/**
 * Domain events on the running platform: committed changes reach the `ecicomm-events` bus through the table
 * publishers, each `detail` valid against its schema (functions/events/schemas.ts, docs/EVENTS.md). Observed as a
 * consumer would: a rule on the bus with an SQS target, created for this file and removed after it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DETAIL_SCHEMAS, EVENT_BUS, type DetailType } from '../../functions/events/schemas';
import { adminSession, api, newShopper, platform, type Shopper } from '../support/api';
import { checkout, productWithStock } from '../support/checkout';
import { eventually } from '../support/eventually';

interface Received {
  source: string;
  'detail-type': DetailType;
  detail: Record<string, unknown>;
}

const RULE = `domain-events-test-${randomUUID().slice(0, 8)}`;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
let shopper: Shopper;
let productId: string;
const seen: Received[] = [];

const clientOptions = () => {
  const { env, region } = platform();
  return { region, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } };
};

/** Drains the observer queue into `seen` and returns those matching. */
async function received(match: (event: Received) => boolean): Promise<Received[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const message of Messages) {
    seen.push(JSON.parse(message.Body!) as Received);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
  return seen.filter(match);
}

beforeAll(async () => {
  events = new EventBridgeClient({ ...clientOptions(), endpoint: platform().env.AWS_ENDPOINT_URL_EVENTBRIDGE });
  sqs = new SQSClient({ ...clientOptions(), endpoint: platform().sqsEndpoint });
  ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: RULE }))) as { QueueUrl: string });
  shopper = await newShopper();
  // The rule is there before the product is written: its ProductCreated (matched by the product's name, its id
  // not known yet) may reach the bus before this hook's next request does. Then the rule also takes the id.
  const productName = `Domain Events Test ${randomUUID().slice(0, 8)}`;
  const putRule = (...more: object[]) =>
    events.send(
      new PutRuleCommand({
        Name: RULE,
        EventBusName: EVENT_BUS,
        EventPattern: JSON.stringify({ $or: [{ detail: { userId: [shopper.userId] } }, ...more] }),
      }),
    );
  await putRule({ detail: { name: [productName] } });
  await events.send(
    new PutTargetsCommand({
      Rule: RULE,
      EventBusName: EVENT_BUS,
      Targets: [{ Id: 'observer', Arn: `arn:aws:sqs:${clientOptions().region}:000000000000:${RULE}` }],
    }),
  );
  productId = await productWithStock(50, 1250, productName);
  await putRule({ detail: { name: [productName] } }, { detail: { productId: [productId] } });
});

afterAll(async () => {
  await events
    ?.send(new RemoveTargetsCommand({ Rule: RULE, EventBusName: EVENT_BUS, Ids: ['observer'] }))
    .catch(() => undefined);
  await events?.send(new DeleteRuleCommand({ Name: RULE, EventBusName: EVENT_BUS })).catch(() => undefined);
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  events?.destroy();
  sqs?.destroy();
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
    expect(seen.length).toBeGreaterThanOrEqual(5);
    for (const event of seen) expect(DETAIL_SCHEMAS[event['detail-type']].safeParse(event.detail).success).toBe(true);
  });
});
