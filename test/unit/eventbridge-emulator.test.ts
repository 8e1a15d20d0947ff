/**
 * The local EventBridge through the real @aws-sdk/client-eventbridge: rules with patterns route PutEvents to Lambda
 * and SQS targets (the local SQS emulator, read back with @aws-sdk/client-sqs); a failing target is retried and then
 * dead-lettered with AWS's attributes; an archive keeps what its pattern matches, across a restart, and a replay sends
 * it again to the rules it names, marked `replay-name`; TestEventPattern answers like AWS; bad requests get AWS's
 * errors; unsigned or wrongly signed requests are refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startEventBridgeEmulator, type EventBridgeEmulator } from '@ecicomm/local-platform/eventbridge/server';
import { startSqsEmulator, type SqsEmulator } from '@ecicomm/local-platform/sqs/server';
import { eventually } from '../support/eventually';

const region = 'eu-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
const QUEUE_ARN = (name: string) => `arn:aws:sqs:${region}:000000000000:${name}`;
const FUNCTION_ARN = (name: string) => `arn:aws:lambda:${region}:000000000000:function:${name}`;

let dataDir: string;
let port: number;
let sqs: SqsEmulator;
let sqsClient: SQSClient;
let bridge: EventBridgeEmulator;
let events: EventBridgeClient;
/** What each function target received, and how many more times each one fails. */
const received = new Map<string, unknown[]>();
const failuresLeft = new Map<string, number>();

const invokers = {
  async lambda(name: string, payload: unknown) {
    const left = failuresLeft.get(name) ?? 0;
    if (left > 0) {
      failuresLeft.set(name, left - 1);
      throw new Error(`${name} failed on purpose`);
    }
    received.set(name, [...(received.get(name) ?? []), payload]);
  },
  async sqs(queueArn: string, body: string, attributes: Record<string, string> = {}) {
    const QueueUrl = `${sqs.endpoint}/000000000000/${queueArn.split(':').pop()}`;
    const MessageAttributes = Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    );
    await sqsClient.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes }));
  },
};

const start = async () => {
  bridge = await startEventBridgeEmulator({
    port,
    region,
    credentials,
    invokers,
    dataDir,
    retryBaseDelayMs: 10,
    maxRetryDelayMs: 20,
  });
  events = new EventBridgeClient({ region, endpoint: bridge.endpoint, credentials, maxAttempts: 1 });
};

const put = (detailType: string, detail: object, source = 'ecicomm.orders') =>
  events.send(
    new PutEventsCommand({ Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }),
  );

async function receiveAll(queue: string) {
  const QueueUrl = `${sqs.endpoint}/000000000000/${queue}`;
  const { Messages = [] } = await sqsClient.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return Messages;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'eventbridge-'));
  sqs = await startSqsEmulator({ port: await freePort(), region });
  sqsClient = new SQSClient({ region, endpoint: sqs.endpoint, credentials });
  for (const QueueName of ['orders-queue', 'dead-letters']) await sqsClient.send(new CreateQueueCommand({ QueueName }));
  port = await freePort();
  await start();
});

afterAll(async () => {
  events?.destroy();
  await bridge?.stop();
  sqsClient?.destroy();
  await sqs?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local EventBridge', () => {
  it('delivers a matching event to a Lambda target (InputPath) and an SQS target, and not a non-matching one', async () => {
    await events.send(
      new PutRuleCommand({
        Name: 'confirmed',
        EventPattern: JSON.stringify({ source: ['ecicomm.orders'], 'detail-type': ['OrderConfirmed'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'confirmed',
        Targets: [
          { Id: 'mailer', Arn: FUNCTION_ARN('mailer'), InputPath: '$.detail' },
          { Id: 'queue', Arn: QUEUE_ARN('orders-queue') },
        ],
      }),
    );
    const answer = await put('OrderConfirmed', { orderId: 'o-1', total: 1999 });
    await put('OrderPlaced', { orderId: 'o-2' });
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    await bridge.idle();
    expect(received.get('mailer')).toEqual([{ orderId: 'o-1', total: 1999 }]);
    const messages = await receiveAll('orders-queue');
    expect(messages.map((m) => JSON.parse(m.Body!) as { detail: unknown; 'detail-type': string })).toEqual([
      expect.objectContaining({
        'detail-type': 'OrderConfirmed',
        detail: { orderId: 'o-1', total: 1999 },
        source: 'ecicomm.orders',
      }),
    ]);
  });

  it('retries a failing target and delivers once it recovers', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'flaky', EventPattern: JSON.stringify({ 'detail-type': ['Flaky'] }) }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'flaky', Targets: [{ Id: 'f', Arn: FUNCTION_ARN('flaky') }] }));
    failuresLeft.set('flaky', 2);
    await put('Flaky', { n: 1 });
    await bridge.idle();
    expect(received.get('flaky')).toHaveLength(1);
  });

  it('sends an event whose retries run out to the dead-letter queue, with the attributes AWS sets', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'broken', EventPattern: JSON.stringify({ 'detail-type': ['Broken'] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'broken',
        Targets: [
          {
            Id: 'b',
            Arn: FUNCTION_ARN('broken'),
            RetryPolicy: { MaximumRetryAttempts: 2 },
            DeadLetterConfig: { Arn: QUEUE_ARN('dead-letters') },
          },
        ],
      }),
    );
    failuresLeft.set('broken', 100);
    await put('Broken', { orderId: 'o-3' });
    await bridge.idle();
    const [message] = await receiveAll('dead-letters');
    expect(JSON.parse(message.Body!)).toMatchObject({ 'detail-type': 'Broken', detail: { orderId: 'o-3' } });
    const attributes = Object.fromEntries(
      Object.entries(message.MessageAttributes!).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attributes).toMatchObject({
      RULE_ARN: `arn:aws:events:${region}:000000000000:rule/broken`,
      TARGET_ARN: FUNCTION_ARN('broken'),
      ERROR_MESSAGE: 'broken failed on purpose',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
    });
    expect(failuresLeft.get('broken')).toBe(97);
  });

  it('archives what its pattern matches, keeps it across a restart, and replays it to the rule named', async () => {
    const busArn = `arn:aws:events:${region}:000000000000:event-bus/default`;
    await events.send(
      new CreateArchiveCommand({
        ArchiveName: 'orders',
        EventSourceArn: busArn,
        EventPattern: JSON.stringify({ source: ['ecicomm.orders'] }),
        RetentionDays: 30,
      }),
    );
    const from = new Date(Date.now() - 1000);
    await put('OrderConfirmed', { orderId: 'o-4', total: 500 });
    await put('ProductChanged', { productId: 'p-1' }, 'ecicomm.catalog');
    await bridge.idle();
    events.destroy();
    await bridge.stop();
    await start();
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }));
    expect(archive.EventCount).toBe(1);
    received.set('mailer', []);
    const { ReplayArn } = await events.send(
      new StartReplayCommand({
        ReplayName: 'again',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: from,
        EventEndTime: new Date(Date.now() + 1000),
        Destination: { Arn: busArn, FilterArns: [`arn:aws:events:${region}:000000000000:rule/confirmed`] },
      }),
    );
    expect(ReplayArn).toBe(`arn:aws:events:${region}:000000000000:replay/again`);
    await eventually(
      async () =>
        expect((await events.send(new DescribeReplayCommand({ ReplayName: 'again' }))).State).toBe('COMPLETED'),
      { timeout: 5000 },
    );
    await bridge.idle();
    expect(received.get('mailer')).toEqual([{ orderId: 'o-4', total: 500 }]);
    // The queue holds the event as first delivered and as replayed; only the replay carries `replay-name`.
    const bodies = (await receiveAll('orders-queue')).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies).toEqual([
      expect.not.objectContaining({ 'replay-name': expect.anything() }),
      expect.objectContaining({ 'replay-name': 'again', detail: { orderId: 'o-4', total: 500 } }),
    ]);
  });

  it('replays by the time in the event (an entry Time), in order of that time, as AWS documents', async () => {
    const busArn = `arn:aws:events:${region}:000000000000:event-bus/default`;
    const { ArchiveArn } = await events.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }));
    const hourAgo = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    // Both arrive now; one is dated an hour ago, the other ten minutes later, and is sent first.
    const dated = (orderId: string, at: number) => ({
      Source: 'ecicomm.orders',
      DetailType: 'OrderConfirmed',
      Detail: JSON.stringify({ orderId }),
      Time: new Date(at),
    });
    await events.send(
      new PutEventsCommand({ Entries: [dated('o-late', hourAgo + 600_000), dated('o-early', hourAgo)] }),
    );
    await bridge.idle();
    received.set('mailer', []);
    await events.send(
      new StartReplayCommand({
        ReplayName: 'dated',
        EventSourceArn: ArchiveArn,
        EventStartTime: new Date(hourAgo - 60_000),
        EventEndTime: new Date(hourAgo + 1_800_000),
        Destination: { Arn: busArn, FilterArns: [`arn:aws:events:${region}:000000000000:rule/confirmed`] },
      }),
    );
    await eventually(
      async () =>
        expect((await events.send(new DescribeReplayCommand({ ReplayName: 'dated' }))).State).toBe('COMPLETED'),
      { timeout: 5000 },
    );
    await bridge.idle();
    expect(received.get('mailer')).toEqual([{ orderId: 'o-early' }, { orderId: 'o-late' }]);
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: 'dated' }));
    expect(replay.EventLastReplayedTime).toEqual(new Date(hourAgo + 600_000));
  });

  it('lists replays by name prefix and state (ListReplays), and cancels only a replay under way (CancelReplay)', async () => {
    const { Replays = [] } = await events.send(new ListReplaysCommand({ NamePrefix: 'dat', State: 'COMPLETED' }));
    expect(Replays.map((r) => r.ReplayName)).toEqual(['dated']);
    expect(await events.send(new ListReplaysCommand({ State: 'RUNNING' }))).toMatchObject({ Replays: [] });
    await expect(events.send(new CancelReplayCommand({ ReplayName: 'dated' }))).rejects.toMatchObject({
      name: 'IllegalStatusException',
    });
    await expect(events.send(new CancelReplayCommand({ ReplayName: 'never-started' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('answers TestEventPattern like AWS, and refuses a bad pattern with InvalidEventPatternException', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'ecicomm.orders',
      time: '2026-12-07T00:00:00Z',
      region,
      resources: [],
      'detail-type': 'OrderCancelled',
      detail: { failureReason: 'PAYMENT_DECLINED' },
    });
    const test = (pattern: object) =>
      events.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }));
    expect((await test({ detail: { failureReason: [{ prefix: 'PAYMENT_' }] } })).Result).toBe(true);
    expect((await test({ detail: { failureReason: [{ 'anything-but': 'PAYMENT_DECLINED' }] } })).Result).toBe(false);
    await expect(test({ detail: { failureReason: 'PAYMENT_DECLINED' } })).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
    await expect(
      events.send(new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: '{"source":"x"}' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    // `resources` is one of the fields AWS requires of the event, even empty.
    const { resources: _, ...withoutResources } = JSON.parse(event) as Record<string, unknown>;
    await expect(
      events.send(
        new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: JSON.stringify(withoutResources) }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('missing resources') });
  });

  it('fails a bad entry alone with its code, and refuses a rule that still has targets to delete', async () => {
    const answer = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'ecicomm.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-5"}' },
          { Source: 'ecicomm.orders', DetailType: 'OrderPlaced', Detail: 'not json' },
          { Source: 'aws.ec2', DetailType: 'X', Detail: '{}' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((e) => e.ErrorCode)).toEqual([
      undefined,
      'MalformedDetail',
      'NotAuthorizedForSourceException',
    ]);
    await expect(events.send(new DeleteRuleCommand({ Name: 'confirmed' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(events.send(new PutRuleCommand({ Name: 'nope', EventPattern: '{}' }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
  });

  it('refuses requests not signed with the platform credentials', async () => {
    const stranger = new EventBridgeClient({
      region,
      endpoint: bridge.endpoint,
      credentials: { ...credentials, secretAccessKey: 'guess' },
      maxAttempts: 1,
    });
    await expect(
      stranger.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();
    const unsigned = await fetch(bridge.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
  });
});
