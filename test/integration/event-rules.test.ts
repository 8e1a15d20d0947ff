/**
 * The rules of lib/events.ts as the local platform puts them on its bus (lib/local/eventbridge/platform-rules.ts):
 * a rule's function, run in this process as every local target is, receives the events its pattern matches and
 * not the others; a function that keeps failing is retried under the rule's policy, then its event waits in the
 * rule's dead-letter queue with the attributes EventBridge sets. Two rules made for this file, on a bus and SQS of
 * their own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startLocalEventBus, type LocalEventBus } from '@ecicomm/local-platform/eventbridge/platform';
import { startSqsEmulator, type SqsEmulator } from '@ecicomm/local-platform/sqs/server';
import type { EventRule } from '../../lib/events';
import { failures } from '../support/event-targets/failing-target';
import { received } from '../support/event-targets/recording-target';
import { eventually } from '../support/eventually';

const region = 'eu-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
const run = randomUUID().slice(0, 8);

const rule = (id: string, handler: string, detailType: string): EventRule => ({
  id: `${id}-${run}`,
  context: 'events',
  description: `test rule ${id}`,
  eventPattern: { source: ['ecicomm.orders'], 'detail-type': [detailType] },
  target: {
    id: `${id}Target${run}`,
    context: 'events',
    handler,
    summary: `test target ${id}`,
    tables: {},
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
    deadLetterQueueName: `${id}-dead-letters-${run}`,
  },
});
const recording = rule('recording', 'test/support/event-targets/recording-target.ts', 'OrderConfirmed');
const failing = rule('failing', 'test/support/event-targets/failing-target.ts', 'OrderCancelled');

let sqs: SqsEmulator;
let sqsClient: SQSClient;
let bus: LocalEventBus;
let events: EventBridgeClient;

const put = (detailType: string, detail: Record<string, unknown>) =>
  events.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: bus.busName, Source: 'ecicomm.orders', DetailType: detailType, Detail: JSON.stringify(detail) },
      ],
    }),
  );

beforeAll(async () => {
  sqs = await startSqsEmulator({ port: await freePort(), region });
  sqsClient = new SQSClient({ region, endpoint: sqs.endpoint, credentials });
  bus = await startLocalEventBus({
    port: await freePort(),
    region,
    credentials,
    projectRoot: process.cwd(),
    sqsEndpoint: sqs.endpoint,
    rules: [recording, failing],
    retryBaseDelayMs: 10,
  });
  events = new EventBridgeClient({ region, endpoint: bus.endpoint, credentials });
});

afterAll(async () => {
  events?.destroy();
  await bus?.stop();
  sqsClient?.destroy();
  await sqs?.stop();
});

describe('a rule of lib/events.ts on the local bus', () => {
  it('has its function as its one target, with its retry policy and dead-letter queue', async () => {
    const { Targets = [] } = await events.send(
      new ListTargetsByRuleCommand({ Rule: failing.id, EventBusName: bus.busName }),
    );
    expect(Targets).toEqual([
      expect.objectContaining({
        Id: failing.target.id,
        Arn: `arn:aws:lambda:${region}:000000000000:function:${failing.target.id}`,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: `arn:aws:sqs:${region}:000000000000:${failing.target.deadLetterQueueName}` },
      }),
    ]);
  });

  it('runs its function with the events its pattern matches, and not with the others', async () => {
    const orderId = randomUUID();
    await put('OrderPlaced', { orderId });
    await put('OrderConfirmed', { orderId });
    await bus.idle();
    const mine = received().filter((event) => event.detail.orderId === orderId);
    expect(mine.map((event) => event['detail-type'])).toEqual(['OrderConfirmed']);
    expect(mine[0]).toMatchObject({ source: 'ecicomm.orders', detail: { orderId } });
  });

  it("retries a failing function under the rule's policy, then leaves the event in the rule's dead-letter queue", async () => {
    const orderId = randomUUID();
    const before = failures();
    await put('OrderCancelled', { orderId });
    const QueueUrl = `${sqs.endpoint}/000000000000/${failing.target.deadLetterQueueName}`;
    const [message] = await eventually(
      async () => {
        const { Messages = [] } = await sqsClient.send(
          new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) throw new Error('nothing dead-lettered yet');
        return Messages;
      },
      { timeout: 30_000, interval: 100 },
    );
    // The first attempt and the two retries.
    expect(failures() - before).toBe(3);
    expect(JSON.parse(message.Body!)).toMatchObject({ 'detail-type': 'OrderCancelled', detail: { orderId } });
    const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
    expect(attribute('EXHAUSTED_RETRY_CONDITION')).toBe('MaximumRetryAttempts');
    expect(attribute('RETRY_ATTEMPTS')).toBe('2');
    expect(attribute('ERROR_MESSAGE')).toMatch(/failing-target refuses/);
  });
});
