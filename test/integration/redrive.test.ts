/**
 * `npm run redrive` against the running platform, as an operator runs it: it finds the platform through
 * LOCAL_DATA_DIR/runtime.json, reads the consumer's on-failure queue, re-reads the failed records from the
 * orders table's stream and invokes the consumer through the platform's Lambda Invoke API. A record the loader
 * can never map stays failing, so its message is kept (the fixed-consumer path, where the message is deleted,
 * is in test/unit/redrive.test.ts with a consumer that can be fixed).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { writeRuntimeFile } from '../support/runtime-file';
import { expect } from '../support/expect';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { analyticsCaughtUp, analyticsStats } from '../support/analytics';
import { dynamo, platform } from '../support/api';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const consumerId = 'loadOrdersStream';
let dataDir: string;

async function redrive(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/redrive.ts', '--consumer', consumerId, ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, LOCAL_DATA_DIR: dataDir },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'redrive-test-'));
  writeRuntimeFile(dataDir, { failureQueues: true });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run redrive on the local platform', () => {
  it('refuses an unknown consumer with its usage', async () => {
    const { code, stderr } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/redrive.ts', '--consumer', 'loadNothing'],
      { cwd: projectRoot },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown consumer "loadNothing"');
    expect(stderr).toContain(
      'consumers: loadOrdersStream, loadInventoryStream, loadProductsStream, loadClickstream, indexProducts',
    );
  });

  // The first wait may include the seeded catalog's way through the products and inventory streams.
  it('re-reads a failed record, invokes the consumer through the Lambda API, and keeps the message while it still fails', async () => {
    const queueUrl = platform().analytics.failureQueueUrls[consumerId];
    const before = (await analyticsStats())[consumerId];
    // A confirmed order without lines is no sale the warehouse can count: its record fails on every attempt.
    const orderId = `ord_redrive_${randomUUID().slice(0, 8)}`;
    await dynamo().send(
      new PutCommand({
        TableName: platform().tableNames.orders,
        Item: {
          orderId,
          userId: 'usr_redrive',
          status: 'CONFIRMED',
          total: 500,
          currency: 'GBP',
          createdAt: '2020-01-16T12:00:00.000Z',
          updatedAt: '2020-01-16T12:00:00.000Z',
        },
      }),
    );
    await analyticsCaughtUp(180_000);
    expect((await analyticsStats())[consumerId].destinationMessages - before.destinationMessages).toBe(1);

    const dry = await redrive('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/DynamoDB stream shardId-\S+ \d+…\d+ \(1 record\): would redrive 1 record\n/);
    expect(dry.stdout).toContain(`${consumerId}: 1 failure records (messages), 1 record would be redriven`);

    const run = await redrive();
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`Lambda ${platform().lambdaEndpoint}`);
    expect(run.stdout).toMatch(/still failing \(FullBatchFailureError: .*\), message kept/);
    expect(run.stdout).toContain('0 redriven and deleted, 0 records redriven; 1 still failing (1 record)');
    expect(run.stdout).toContain('1 kept in the queue');

    // Kept, and visible at once for the next redrive; the failure record names the order's record.
    const sqs = new SQSClient({ region: platform().region, endpoint: platform().sqsEndpoint, credentials });
    try {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      expect(Messages).toHaveLength(1);
      expect(JSON.parse(Messages[0].Body!).DDBStreamBatchInfo).toMatchObject({ batchSize: 1 });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0].ReceiptHandle! }));
    } finally {
      sqs.destroy();
    }
  }, 240_000);
});
