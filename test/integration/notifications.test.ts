/**
 * The e-mails a shopper gets, on the running platform: the `notifyShopperOfOrders` rule (lib/events.ts) runs the
 * notifications function for each OrderConfirmed and OrderCancelled on the bus, which writes through SES v2 to the
 * local SES (aws-ses-v2-local); the test reads its inbox as a newcomer would (`GET /store`, the JSON behind its
 * web page). A confirmation lists the lines and totals in pounds; a declined card gets a cancellation that says
 * why; a shopper who turned e-mails off gets none; the same event delivered again sends nothing more.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_BUS, EVENT_SOURCES } from '../../functions/events/schemas';
import { formatMoney, orderReference } from '../../functions/notifications/domain/messages';
import { api, newShopper, platform, type Shopper } from '../support/api';
import { checkout, productWithStock } from '../support/checkout';
import { eventually } from '../support/eventually';
import { domainEventsDelivered, emailsTo, sesEndpoint } from '../support/notifications';

interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: Record<string, unknown> & { orderId: string };
}

const OBSERVER = `notifications-test-${randomUUID().slice(0, 8)}`;
const credentials = () => ({
  accessKeyId: platform().env.AWS_ACCESS_KEY_ID,
  secretAccessKey: platform().env.AWS_SECRET_ACCESS_KEY,
});
let events: EventBridgeClient;
let sqs: SQSClient;
let lambda: LambdaClient;
let queueUrl: string;
let productId: string;
let productName: string;
const observed: BusEvent[] = [];

/** The order events the observer rule has seen for `orderId` (a consumer beside the notifications rule). */
async function observedEvent(orderId: string, type: string): Promise<BusEvent> {
  return eventually(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      observed.push(...Messages.map((m) => JSON.parse(m.Body!) as BusEvent));
      const found = observed.find((e) => e.detail.orderId === orderId && e['detail-type'] === type);
      if (!found) throw new Error(`no ${type} observed for ${orderId}`);
      return found;
    },
    { timeout: 30_000, interval: 200 },
  );
}

/** Invokes the rule's function with `event`, as EventBridge delivers it, through the platform's Invoke API. */
async function invokeNotifier(event: unknown): Promise<unknown> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: 'notifyShopper', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  const payload = JSON.parse(new TextDecoder().decode(out.Payload)) as unknown;
  if (out.FunctionError) throw new Error(`notifyShopper failed: ${JSON.stringify(payload)}`);
  return payload;
}

const waitForEmails = (address: string, count: number) =>
  eventually(
    async () => {
      const emails = await emailsTo(address);
      expect(emails).toHaveLength(count);
      return emails;
    },
    { timeout: 30_000, interval: 200 },
  );

beforeAll(async () => {
  const { region } = platform();
  events = new EventBridgeClient({
    region,
    credentials: credentials(),
    endpoint: platform().env.AWS_ENDPOINT_URL_EVENTBRIDGE,
  });
  sqs = new SQSClient({ region, credentials: credentials(), endpoint: platform().sqsEndpoint });
  lambda = new LambdaClient({ region, credentials: credentials(), endpoint: platform().lambdaEndpoint });
  ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: OBSERVER }))) as { QueueUrl: string });
  productName = `Mail Test Lamp ${randomUUID().slice(0, 8)}`;
  productId = await productWithStock(100, 1234, productName);
  await events.send(
    new PutRuleCommand({
      Name: OBSERVER,
      EventBusName: EVENT_BUS,
      EventPattern: JSON.stringify({
        source: [EVENT_SOURCES.orders],
        'detail-type': ['OrderConfirmed', 'OrderCancelled'],
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: OBSERVER,
      EventBusName: EVENT_BUS,
      Targets: [{ Id: 'observer', Arn: `arn:aws:sqs:${region}:000000000000:${OBSERVER}` }],
    }),
  );
});

afterAll(async () => {
  await events
    ?.send(new RemoveTargetsCommand({ Rule: OBSERVER, EventBusName: EVENT_BUS, Ids: ['observer'] }))
    .catch(() => undefined);
  await events?.send(new DeleteRuleCommand({ Name: OBSERVER, EventBusName: EVENT_BUS })).catch(() => undefined);
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  events?.destroy();
  sqs?.destroy();
  lambda?.destroy();
});

describe('the e-mails a shopper gets', () => {
  let shopper: Shopper;
  let order: Record<string, any>;

  beforeAll(async () => {
    shopper = await newShopper();
  });

  it('confirms a paid order with exactly one e-mail: its lines, its totals in pounds, its address', async () => {
    order = await checkout(shopper, { items: [{ productId, quantity: 2 }] });
    expect(order.status).toBe('CONFIRMED');
    const [email] = await waitForEmails(shopper.email, 1);
    const pounds = (pence: number) => formatMoney(pence, 'GBP');
    expect(email.subject).toBe(`Your order ${orderReference(order.orderId)} is confirmed`);
    expect(email.from).toContain('orders@ecicomm.example.com');
    const { text = '', html = '' } = email.body;
    expect(text).toContain(`2 x ${productName} at £12.34: £24.68`);
    expect(text).toContain(`Subtotal: ${pounds(order.subtotal)}`);
    expect(text).toContain(`VAT: ${pounds(order.tax)}`);
    expect(text).toContain(`Total: ${pounds(order.total)}`);
    expect(text).toContain(`${order.shippingAddress.line1}\n${order.shippingAddress.city}`);
    expect(html).toContain(`<td>${productName}</td>`);
    expect(html).toContain(pounds(order.total));
  });

  it('sends nothing more when the same event is delivered again, or published again', async () => {
    const event = await observedEvent(order.orderId, 'OrderConfirmed');
    // The first delivery has finished (its outcome is kept) before the event comes again.
    await domainEventsDelivered();
    const [sent] = await emailsTo(shopper.email);
    // A redelivery, as EventBridge retries: the same event to the same function; it answers with the first outcome.
    expect(await invokeNotifier(event)).toEqual({ outcome: 'sent', messageId: sent.messageId });
    // The same change published again (a new event id): one e-mail per order and event type all the same.
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: EVENT_BUS,
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    await domainEventsDelivered();
    expect(await emailsTo(shopper.email)).toHaveLength(1);
  });

  it('tells the shopper whose card was declined why the order was cancelled, and that nothing was charged', async () => {
    const declined = await checkout(shopper, {
      items: [{ productId, quantity: 1 }],
      paymentToken: 'tok_chargeDeclined',
    });
    expect(declined.status).toBe('CANCELLED');
    const emails = await waitForEmails(shopper.email, 2);
    const cancellation = emails.find(
      (e) => e.subject === `Your order ${orderReference(declined.orderId)} was cancelled`,
    );
    expect(cancellation?.body.text).toContain('because your card issuer declined the payment.');
    expect(cancellation?.body.text).toContain('Nothing was charged.');
    expect(cancellation?.body.text).toContain(formatMoney(declined.total, 'GBP'));
  });
});

describe('a shopper who turned e-mails off', () => {
  it('gets none, confirmed or cancelled', async () => {
    const shopper = await newShopper();
    const res = await api('/v1/users/me', {
      method: 'PATCH',
      token: shopper.token,
      body: { preferences: { notifications: { email: false }, language: 'en-GB' } },
    });
    expect([res.status, res.body.preferences]).toEqual([200, { notifications: { email: false }, language: 'en-GB' }]);
    const confirmed = await checkout(shopper, { items: [{ productId, quantity: 1 }] });
    const cancelled = await checkout(shopper, {
      items: [{ productId, quantity: 1 }],
      paymentToken: 'tok_chargeDeclined',
    });
    expect([confirmed.status, cancelled.status]).toEqual(['CONFIRMED', 'CANCELLED']);
    // Both events reached the rule's function, which decided (its outcome is kept: asking again returns it).
    await domainEventsDelivered();
    for (const [orderId, type] of [
      [confirmed.orderId, 'OrderConfirmed'],
      [cancelled.orderId, 'OrderCancelled'],
    ] as const)
      expect(await invokeNotifier(await observedEvent(orderId, type))).toEqual({
        outcome: 'skipped',
        reason: 'opted-out',
      });
    expect(await emailsTo(shopper.email)).toEqual([]);
  });
});

describe('the local inbox', () => {
  it('serves its web page where `npm start` says, beside the e-mails as JSON', async () => {
    const page = await fetch(`${sesEndpoint()}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<html/i);
  });
});
