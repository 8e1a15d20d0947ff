/**
 * The local SQS emulator, driven by the real @aws-sdk/client-sqs v3 over HTTP (and by raw requests where the
 * point is the wire format).
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AddPermissionCommand,
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PortInUseError } from '@ecicomm/local-platform/emulators';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { md5OfMessageAttributes, startSqsEmulator, type SqsEmulator } from '@ecicomm/local-platform/sqs/server';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const clientFor = (endpoint: string, region = 'eu-west-2') =>
  new SQSClient({ region, endpoint, credentials, maxAttempts: 1 });
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sqs: SqsEmulator;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startSqsEmulator({ port: await freePort() });
  client = clientFor(sqs.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

const createQueue = async (name: string, Attributes?: Record<string, string>) =>
  (await client.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;
const attributesOf = async (QueueUrl: string, names: string[] = ['All']) =>
  (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: names as never }))).Attributes ?? {};
const receive = async (
  QueueUrl: string,
  extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
): Promise<Message[]> => (await client.send(new ReceiveMessageCommand({ QueueUrl, ...extra }))).Messages ?? [];

/** A request as the SDK would send it, but with whatever body and target we like. */
const rawCall = (target: string | undefined, body: string) =>
  fetch(`${sqs.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) },
    body,
  });

/**
 * Posts `size` bytes to the emulator with node:http, writing the whole body before reading (as most clients
 * do), with a Content-Length or streamed chunked; resolves with the answer, rejects on a transport error.
 */
const postBodyOfSize = (size: number, framing: 'declared' | 'chunked') =>
  new Promise<{ status: number; queryError: unknown; json: unknown }>((resolve, reject) => {
    const { hostname, port } = new URL(sqs.endpoint);
    const length = framing === 'declared' ? { 'content-length': String(size) } : { 'transfer-encoding': 'chunked' };
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues', ...length };
    let answered = false;
    const request = http.request({ host: hostname, port, method: 'POST', path: '/', headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          queryError: res.headers['x-amzn-query-error'],
          json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        }),
      );
      res.on('error', reject);
    });
    request.on('error', (e) => {
      if (!answered) reject(e);
    });
    const piece = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < size && !answered && !request.destroyed) {
        const n = Math.min(piece.length, size - sent);
        sent += n;
        if (!request.write(piece.subarray(0, n))) return void request.once('drain', pump);
      }
      request.end();
    };
    pump();
  });

describe('queues', () => {
  it('CreateQueue answers a 127.0.0.1 queue URL, is idempotent by name, and GetQueueUrl finds the queue', async () => {
    const name = unique('orders');
    const url = await createQueue(name, { VisibilityTimeout: '45' });
    expect(url).toBe(`${sqs.endpoint}/000000000000/${name}`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\//);
    expect(await createQueue(name, { VisibilityTimeout: '45' })).toBe(url);
    expect(await createQueue(name)).toBe(url);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
  });

  it('CreateQueue with an existing name but a different attribute value throws QueueNameExists', async () => {
    const name = unique('conflict');
    await createQueue(name, { VisibilityTimeout: '10' });
    await expect(
      client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '20' } })),
    ).rejects.toBeInstanceOf(QueueNameExists);
  });

  it('ListQueues returns only the queues whose names start with the prefix', async () => {
    const prefix = unique('listing');
    const a = await createQueue(`${prefix}-a`);
    const b = await createQueue(`${prefix}-b`);
    await createQueue(unique('other'));
    const { QueueUrls } = await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    expect(QueueUrls).toEqual([a, b]);
    const page = await client.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1 }));
    expect(page.QueueUrls).toEqual([a]);
    const next = await client.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1, NextToken: page.NextToken }),
    );
    expect(next.QueueUrls).toEqual([b]);
    expect(next.NextToken).toBeUndefined();
  });

  it('the queue ARN carries the region of the credential scope that created the queue', async () => {
    const name = unique('regional');
    const url = await createQueue(name);
    expect((await attributesOf(url, ['QueueArn'])).QueueArn).toBe(`arn:aws:sqs:eu-west-2:000000000000:${name}`);
    const virginia = clientFor(sqs.endpoint, 'us-east-1');
    const other = unique('virginia');
    const otherUrl = (await virginia.send(new CreateQueueCommand({ QueueName: other }))).QueueUrl!;
    expect((await attributesOf(otherUrl, ['QueueArn'])).QueueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${other}`);
    virginia.destroy();
  });

  it('GetQueueAttributes reports defaults and set values; SetQueueAttributes changes them; unknown names are refused', async () => {
    const url = await createQueue(unique('attrs'), { MessageRetentionPeriod: '600' });
    expect(await attributesOf(url)).toMatchObject({
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(Object.keys(await attributesOf(url, ['VisibilityTimeout']))).toEqual(['VisibilityTimeout']);
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '7' } }));
    expect((await attributesOf(url)).VisibilityTimeout).toBe('7');
    await expect(
      client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Nonsense: '1' } as Record<string, string> }),
      ),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
  });

  it('DeleteQueue removes the queue, after which it does not exist', async () => {
    const name = unique('doomed');
    const url = await createQueue(name);
    await client.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(client.send(new GetQueueUrlCommand({ QueueName: name }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});

describe('messages', () => {
  it('send, receive and delete round-trip, with body MD5s the SDK verifies on send and on receive', async () => {
    const url = await createQueue(unique('roundtrip'));
    const body = JSON.stringify({ orderId: 'o-1', note: 'héllo ✓ 🎉' });
    const sent = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    expect(sent.MD5OfMessageAttributes).toBeUndefined();

    const [message] = await receive(url, { MessageSystemAttributeNames: ['All'] });
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: body, MD5OfBody: md5(body) });
    expect(message!.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: 'local' });
    expect(Number(message!.Attributes!.SentTimestamp)).toBeLessThanOrEqual(
      Number(message!.Attributes!.ApproximateFirstReceiveTimestamp),
    );

    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle }));
    expect(await attributesOf(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(await receive(url)).toEqual([]);
  });

  it('the SDK body-MD5 check is live against the emulator: a tampered receive is rejected', async () => {
    const url = await createQueue(unique('tamper'));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'original' }));
    const tampering = clientFor(sqs.endpoint);
    tampering.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        for (const m of (result.output as { Messages?: Message[] }).Messages ?? []) m.Body = 'tampered';
        return result;
      },
      { step: 'build', name: 'tamperWithBody' },
    );
    await expect(tampering.send(new ReceiveMessageCommand({ QueueUrl: url }))).rejects.toThrow(/Invalid MD5 checksum/);
    tampering.destroy();
  });

  it('MD5OfMessageAttributes matches the digest AWS returns for a known attribute', async () => {
    // The value AWS answers for this attribute, as pinned by the moto and LocalStack SQS test suites.
    const known = { timestamp: { DataType: 'Number', StringValue: '1493147359900' } };
    expect(md5OfMessageAttributes(known)).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(md5OfMessageAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359901' } })).toBe(
      '994258b45346a2cc3f9cbb611aa7af30',
    );
    const url = await createQueue(unique('md5attrs'));
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'derp', MessageAttributes: known }),
    );
    expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
  });

  it('message attributes (String, Number, Binary) round-trip, filtered by name and prefix on receive', async () => {
    const url = await createQueue(unique('attributes'));
    const MessageAttributes = {
      eventType: { DataType: 'String', StringValue: 'OrderPlaced' },
      'trace.id': { DataType: 'String', StringValue: 'abc' },
      amount: { DataType: 'Number.cents', StringValue: '1299' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254, 255]) },
    };
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'with attributes', MessageAttributes }),
    );
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    const [all] = await receive(url, { MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
    expect(all!.MessageAttributes).toEqual({
      ...MessageAttributes,
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254, 255]) },
    });
    expect(all!.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);

    const [some] = await receive(url, { MessageAttributeNames: ['eventType', 'trace.*'], VisibilityTimeout: 0 });
    expect(Object.keys(some!.MessageAttributes ?? {}).sort()).toEqual(['eventType', 'trace.id']);
    const [none] = await receive(url);
    expect(none!.MessageAttributes).toBeUndefined();
    expect(none!.MD5OfMessageAttributes).toBeUndefined();
  });

  it('SendMessageBatch and DeleteMessageBatch handle many entries, reporting a bad entry as Failed', async () => {
    const url = await createQueue(unique('batch'));
    const entries = Array.from({ length: 9 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    const sent = await client.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [...entries, { Id: 'empty', MessageBody: '' }] }),
    );
    expect(sent.Successful!.map((s) => s.Id).sort()).toEqual(entries.map((e) => e.Id).sort());
    for (const s of sent.Successful!) expect(s.MD5OfMessageBody).toBe(md5(`body ${s.Id!.slice(1)}`));
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'empty', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);

    const received = await receive(url, { MaxNumberOfMessages: 10 });
    expect(received.map((m) => m.Body).sort()).toEqual(entries.map((e) => e.MessageBody).sort());
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
          { Id: 'bogus', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: 'bogus', Code: 'ReceiptHandleIsInvalid' })]);
    expect((await attributesOf(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('batch requests that are empty, longer than ten or repeat an id throw the matching SDK errors', async () => {
    const url = await createQueue(unique('badbatch'));
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }))).rejects.toBeInstanceOf(
      EmptyBatchRequest,
    );
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven }))).rejects.toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
    const twice = [
      { Id: 'same', MessageBody: 'a' },
      { Id: 'same', MessageBody: 'b' },
    ];
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: twice }))).rejects.toBeInstanceOf(
      BatchEntryIdsNotDistinct,
    );
  });

  it('a received message is invisible for its visibility timeout, then reappears with a higher receive count', async () => {
    const url = await createQueue(unique('visibility'), { VisibilityTimeout: '1' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));
    const [first] = await receive(url, { MessageSystemAttributeNames: ['All'] });
    expect(first!.Attributes!.ApproximateReceiveCount).toBe('1');
    expect(await receive(url)).toEqual([]);
    expect((await attributesOf(url)).ApproximateNumberOfMessagesNotVisible).toBe('1');

    const started = Date.now();
    const [again] = await receive(url, { WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] });
    const waited = Date.now() - started;
    expect(again!.MessageId).toBe(first!.MessageId);
    expect(again!.Attributes!.ApproximateReceiveCount).toBe('2');
    expect(again!.Attributes!.ApproximateFirstReceiveTimestamp).toBe(
      first!.Attributes!.ApproximateFirstReceiveTimestamp,
    );
    expect(again!.ReceiptHandle).not.toBe(first!.ReceiptHandle);
    expect(waited).toBeGreaterThan(500);
    expect(waited).toBeLessThan(2500);
  });

  it('only the latest receipt handle deletes; ChangeMessageVisibility 0 makes a message receivable at once', async () => {
    const url = await createQueue(unique('handles'));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const [first] = await receive(url, { VisibilityTimeout: 0 });
    const [second] = await receive(url, { VisibilityTimeout: 60 });
    // As in SQS, deleting with an old handle succeeds but deletes nothing.
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    expect((await attributesOf(url)).ApproximateNumberOfMessagesNotVisible).toBe('1');

    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const [third] = await receive(url);
    expect(third!.MessageId).toBe(first!.MessageId);
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: third!.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: third!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    ).rejects.toBeInstanceOf(MessageNotInflight);
    await expect(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  // Its long poll may wait 5 s: the test's own budget must exceed that (a loaded machine once hit the default 5 s).
  it(
    'DelaySeconds keeps a message delayed (counted as delayed, not receivable) until the delay ends',
    { timeout: 15_000 },
    async () => {
      const url = await createQueue(unique('delay'));
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
      expect((await attributesOf(url)).ApproximateNumberOfMessagesDelayed).toBe('1');
      expect(await receive(url)).toEqual([]);
      const [message] = await receive(url, { WaitTimeSeconds: 5 });
      expect(message!.Body).toBe('later');
    },
  );

  it('a long poll returns as soon as a message arrives, not at the end of WaitTimeSeconds', async () => {
    const url = await createQueue(unique('longpoll'));
    const started = Date.now();
    const polling = receive(url, { WaitTimeSeconds: 10 });
    await sleep(300);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const messages = await polling;
    const waited = Date.now() - started;
    expect(messages.map((m) => m.Body)).toEqual(['wake up']);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2000);
  });

  it('a long poll with nothing to receive answers empty after WaitTimeSeconds', async () => {
    const url = await createQueue(unique('emptypoll'));
    const started = Date.now();
    expect(await receive(url, { WaitTimeSeconds: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a long poll abandoned by its client takes no message', async () => {
    const url = await createQueue(unique('abandoned'));
    const abort = new AbortController();
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }), {
      abortSignal: abort.signal,
    });
    await sleep(200);
    abort.abort();
    await expect(polling).rejects.toThrow();
    await sleep(100);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next consumer' }));
    const [message] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(message!.Body).toBe('for the next consumer');
    expect(message!.Attributes!.ApproximateReceiveCount).toBe('1');
  });

  it('redrive: a message received maxReceiveCount times moves to the dead-letter queue on the next receive', async () => {
    const dlqName = unique('orders-dlq');
    const dlqUrl = await createQueue(dlqName);
    const dlqArn = (await attributesOf(dlqUrl, ['QueueArn'])).QueueArn!;
    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '2' });
    const url = await createQueue(unique('orders'), { RedrivePolicy: redrive });
    const sourceArn = (await attributesOf(url, ['QueueArn'])).QueueArn!;
    expect(JSON.parse((await attributesOf(url, ['RedrivePolicy'])).RedrivePolicy!)).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 2,
    });

    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    expect((await receive(url, { VisibilityTimeout: 0 })).map((m) => m.MessageId)).toEqual([MessageId]);
    expect((await receive(url, { VisibilityTimeout: 0 })).map((m) => m.MessageId)).toEqual([MessageId]);
    expect(await receive(url, { VisibilityTimeout: 0 })).toEqual([]);
    expect((await attributesOf(url)).ApproximateNumberOfMessages).toBe('0');
    expect((await attributesOf(dlqUrl)).ApproximateNumberOfMessages).toBe('1');

    const [dead] = await receive(dlqUrl, { MessageSystemAttributeNames: ['All'] });
    expect(dead).toMatchObject({ MessageId, Body: 'poison' });
    expect(dead!.Attributes!.DeadLetterQueueSourceArn).toBe(sourceArn);
    expect((await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls).toEqual([url]);
  });

  it('a RedrivePolicy naming a queue that does not exist is refused', async () => {
    const redrive = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:eu-west-2:000000000000:no-such-dlq',
      maxReceiveCount: 3,
    });
    await expect(
      client.send(new CreateQueueCommand({ QueueName: unique('bad-redrive'), Attributes: { RedrivePolicy: redrive } })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('GetQueueAttributes counts visible, in-flight and delayed messages; PurgeQueue empties the queue', async () => {
    const url = await createQueue(unique('counts'));
    for (const body of ['a', 'b', 'c']) await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 60 }));
    await receive(url, { VisibilityTimeout: 60 });
    expect(await attributesOf(url)).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    const snapshot = sqs.queues().find((q) => q.url === url)!;
    expect(snapshot.messages.map((m) => m.state).sort()).toEqual(['delayed', 'in-flight', 'visible', 'visible']);

    await client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await attributesOf(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
  });
});

describe('errors', () => {
  it('an unknown queue makes the SDK throw QueueDoesNotExist (GetQueueUrl, SendMessage, ReceiveMessage)', async () => {
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
    const missingUrl = `${sqs.endpoint}/000000000000/no-such-queue`;
    await expect(client.send(new SendMessageCommand({ QueueUrl: missingUrl, MessageBody: 'x' }))).rejects.toMatchObject(
      {
        name: 'QueueDoesNotExist',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      },
    );
    await expect(client.send(new ReceiveMessageCommand({ QueueUrl: missingUrl }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('on the wire, an error is a 400 JSON __type with the awsQuery code in x-amzn-query-error', async () => {
    const res = await rawCall('AmazonSQS.GetQueueUrl', JSON.stringify({ QueueName: 'no-such-queue' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(res.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(await res.json()).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  it('malformed JSON is a 400 SerializationException', async () => {
    const res = await rawCall('AmazonSQS.CreateQueue', '{"QueueName": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('com.amazonaws.sqs#SerializationException');
    const notAnObject = await rawCall('AmazonSQS.CreateQueue', '[1, 2]');
    expect(notAnObject.status).toBe(400);
  });

  it('an unknown action, or a request without X-Amz-Target (the query protocol), is a 400 InvalidAction', async () => {
    const unknown = await rawCall('AmazonSQS.LaunchRockets', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    const query = await rawCall(undefined, 'Action=ListQueues&Version=2012-11-05');
    expect(query.status).toBe(400);
    expect(((await query.json()) as { __type: string }).__type).toBe('com.amazonaws.sqs#InvalidAction');
  });

  it('an SQS operation the emulator does not implement makes the SDK throw UnsupportedOperation', async () => {
    const url = await createQueue(unique('perms'));
    await expect(
      client.send(
        new AddPermissionCommand({
          QueueUrl: url,
          Label: 'l',
          AWSAccountIds: ['111111111111'],
          Actions: ['SendMessage'],
        }),
      ),
    ).rejects.toBeInstanceOf(UnsupportedOperation);
    await expect(client.send(new CreateQueueCommand({ QueueName: unique('events') + '.fifo' }))).rejects.toBeInstanceOf(
      UnsupportedOperation,
    );
  });

  it('out-of-range or missing parameters are 400 InvalidParameterValue / MissingParameter', async () => {
    const url = await createQueue(unique('params'));
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    const missing = await rawCall('AmazonSQS.SendMessage', JSON.stringify({ QueueUrl: url }));
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-query-error')).toBe('MissingParameter;Sender');
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0000 char' })),
    ).rejects.toMatchObject({
      name: 'InvalidMessageContents',
    });
  });

  it('a body over 16 MiB, declared or streamed, is a 413 RequestEntityTooLarge the client reads (not a reset)', async () => {
    const over = 16 * 1024 * 1024 + 1;
    const expected = {
      status: 413,
      queryError: 'RequestEntityTooLarge;Sender',
      json: {
        __type: 'com.amazonaws.sqs#RequestEntityTooLarge',
        message: `Requests must be at most ${16 * 1024 * 1024} bytes.`,
      },
    };
    expect(await postBodyOfSize(over, 'declared')).toEqual(expected);
    expect(await postBodyOfSize(over, 'chunked')).toEqual(expected);
    // The emulator still answers afterwards.
    expect((await client.send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
  });

  it('a second emulator on a port in use fails with PortInUseError', async () => {
    const port = Number(new URL(sqs.endpoint).port);
    await expect(startSqsEmulator({ port })).rejects.toBeInstanceOf(PortInUseError);
  });
});

describe('lifecycle and persistence', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqs-emulator-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('queues, attributes and dead-lettered messages survive a restart with the same dataFile', async () => {
    const dataFile = path.join(tempDir(), 'nested', 'sqs.json');
    const first = await startSqsEmulator({ port: await freePort(), dataFile });
    const c1 = clientFor(first.endpoint);
    let messageId: string | undefined;
    try {
      const dlqUrl = (await c1.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }))).QueueUrl!;
      const dlqArn = (await c1.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] })))
        .Attributes!.QueueArn!;
      const url = (
        await c1.send(
          new CreateQueueCommand({
            QueueName: 'orders',
            Attributes: {
              VisibilityTimeout: '12',
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
            },
          }),
        )
      ).QueueUrl!;
      messageId = (
        await c1.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: 'poison',
            MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
          }),
        )
      ).MessageId;
      await c1.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
      expect((await c1.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined(); // moved to the DLQ
      await c1.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'healthy' }));
    } finally {
      c1.destroy();
      await first.stop();
    }

    const second = await startSqsEmulator({ port: await freePort(), dataFile });
    const c2 = clientFor(second.endpoint);
    try {
      const url = (await c2.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl!;
      expect(url).toBe(`${second.endpoint}/000000000000/orders`);
      const attributes = (await c2.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
        .Attributes!;
      expect(attributes.VisibilityTimeout).toBe('12');
      expect(JSON.parse(attributes.RedrivePolicy!).maxReceiveCount).toBe(1);
      expect(attributes.ApproximateNumberOfMessages).toBe('1');

      const dlqUrl = (await c2.send(new GetQueueUrlCommand({ QueueName: 'orders-dlq' }))).QueueUrl!;
      const { Messages } = await c2.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      expect(Messages).toHaveLength(1);
      expect(Messages![0]).toMatchObject({
        MessageId: messageId,
        Body: 'poison',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
        Attributes: { DeadLetterQueueSourceArn: 'arn:aws:sqs:eu-west-2:000000000000:orders' },
      });
    } finally {
      c2.destroy();
      await second.stop();
    }
  });

  it('writes the data file shortly after a change, without waiting for stop', async () => {
    const dataFile = path.join(tempDir(), 'sqs.json');
    const emulator = await startSqsEmulator({ port: await freePort(), dataFile });
    const c = clientFor(emulator.endpoint);
    try {
      const url = (await c.send(new CreateQueueCommand({ QueueName: 'written' }))).QueueUrl!;
      await c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'on disk soon' }));
      const deadline = Date.now() + 3000;
      while (
        !(existsSync(dataFile) && readFileSync(dataFile, 'utf8').includes('on disk soon')) &&
        Date.now() < deadline
      )
        await sleep(50);
      expect(readFileSync(dataFile, 'utf8')).toContain('on disk soon');
    } finally {
      c.destroy();
      await emulator.stop();
    }
  });

  /** The emulator in a child process (test/support/sqs-child.ts) on dataFile, to be killed; resolves once it listens. */
  async function startChild(dataFile: string) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'test/support/sqs-child.ts'), dataFile, String(port)],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => ((output += b.toString()), output.includes('ready') && resolve()));
      child.stderr.on('data', (b: Buffer) => (output += b.toString()));
      void exited.then(() => reject(new Error(`the SQS emulator exited before it was ready:\n${output}`)));
    });
    const c = clientFor(`http://127.0.0.1:${port}`);
    const kill = async () => {
      child.kill('SIGKILL');
      await exited;
      c.destroy();
    };
    return { client: c, kill };
  }

  // The compensation dead-letter queue and the analytics on-failure queues rely on it: a message SQS accepted is kept.
  it(
    'keeps what it answered 200 to through a kill -9 right after: sent messages, batches and deletes',
    { timeout: 60_000 },
    async () => {
      const dataFile = path.join(tempDir(), 'sqs.json');
      const first = await startChild(dataFile);
      let url: string;
      try {
        url = (await first.client.send(new CreateQueueCommand({ QueueName: 'dead-letters' }))).QueueUrl!;
        await first.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'gone' }));
        const { Messages } = await first.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
        await first.client.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages![0]!.ReceiptHandle! }),
        );
        await first.client.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: 'compensation failed for ord_1' }),
        );
        await first.client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: [
              { Id: 'a', MessageBody: 'batch a' },
              { Id: 'b', MessageBody: 'batch b' },
            ],
          }),
        );
      } finally {
        await first.kill();
      }

      const second = await startChild(dataFile);
      try {
        const url2 = (await second.client.send(new GetQueueUrlCommand({ QueueName: 'dead-letters' }))).QueueUrl!;
        const { Messages } = await second.client.send(
          new ReceiveMessageCommand({ QueueUrl: url2, MaxNumberOfMessages: 10 }),
        );
        expect(Messages?.map((m) => m.Body).sort()).toEqual(['batch a', 'batch b', 'compensation failed for ord_1']);
      } finally {
        await second.kill();
      }
    },
  );

  it('refuses to start on a data file it cannot read, naming the file', async () => {
    const dataFile = path.join(tempDir(), 'sqs.json');
    writeFileSync(dataFile, '{ not json');
    await expect(startSqsEmulator({ port: await freePort(), dataFile })).rejects.toThrow(dataFile);
  });

  it('stop ends a pending long poll at once instead of waiting out WaitTimeSeconds', async () => {
    const emulator = await startSqsEmulator({ port: await freePort() });
    const c = clientFor(emulator.endpoint);
    const url = (await c.send(new CreateQueueCommand({ QueueName: 'idle' }))).QueueUrl!;
    const polling = c.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await sleep(200);
    const started = Date.now();
    await emulator.stop();
    const result = await polling;
    expect(result.Messages).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
    c.destroy();
  });
});
