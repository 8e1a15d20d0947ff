/**
 * `npm run payments:reconcile` (bin/reconcile-payments.ts) against the running platform, as an operator runs
 * it: usage, a mismatch planted the way a crash leaves one (the gateway charged a cancelled order the ledger
 * never heard of) reported with a non-zero exit, and gone once the settlement pass has refunded it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { writeRuntimeFile } from '../support/runtime-file';
import { dynamo, newShopper, platform } from '../support/api';
import { orderRow, pendingOrder, productWithStock, sagaTask, sleep } from '../support/checkout';

let dataDir: string;

async function reconcile(
  args: string[],
  env: Record<string, string> = { LOCAL_DATA_DIR: dataDir },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/reconcile-payments.ts', ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'reconcile-test-'));
  writeRuntimeFile(dataDir, { failureQueues: true });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run payments:reconcile', () => {
  it('--help prints the usage (exit 0); an unknown option or a bad value prints it with exit 2', async () => {
    const help = await reconcile(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run payments:reconcile');
    const unknown = await reconcile(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'[\s\S]*usage:/);
    const badGrace = await reconcile(['--grace-seconds', 'soon']);
    expect(badGrace.code).toBe(2);
    expect(badGrace.stderr).toMatch(/--grace-seconds .* must be a whole number/);
  });

  it('with no platform running on the data dir it says so (exit 1)', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'reconcile-none-'));
    try {
      const res = await reconcile([], { LOCAL_DATA_DIR: empty });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('No local platform is running');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reports a cancelled order charged at the gateway but missing from the ledger (exit 1), and not once settlement refunded it', async () => {
    const shopper = await newShopper();
    const a = await productWithStock(2, 1593);
    const { orderId, total } = await pendingOrder(shopper, { items: [{ productId: a, quantity: 1 }] });
    await sagaTask('CancelOrder')({ orderId, failureReason: 'INTERNAL' });
    // What the gateway keeps of a charge whose ledger write a crash prevented.
    await dynamo().send(
      new PutCommand({
        TableName: platform().tableNames.payments,
        Item: {
          orderId: `GATEWAY#charge:${orderId}`,
          entry: 'RESULT',
          kind: 'charge',
          result: { outcome: 'approved', chargeId: `ch_planted_${orderId.slice(-8)}` },
          reference: orderId,
          amount: total,
          currency: 'GBP',
          at: new Date(Date.now() - 60_000).toISOString(),
        },
      }),
    );
    await dynamo().send(
      new PutCommand({
        TableName: platform().tableNames.payments,
        Item: {
          orderId,
          entry: 'INTENT#CHARGE',
          amount: total,
          currency: 'GBP',
          idempotencyKey: `charge:${orderId}`,
          at: new Date(Date.now() - 60_000).toISOString(),
          attemptAt: new Date(Date.now() - 60_000).toISOString(),
          open: 'OPEN',
          attempts: 1,
        },
      }),
    );

    const found = await reconcile(['--grace-seconds', '0']);
    expect(found.code).toBe(1);
    const lines = found.stdout.split('\n').filter((l) => l.includes(orderId));
    expect(lines.map((l) => l.split(/\s+/)[0]).sort()).toEqual([
      'CHARGED_CANCELLED_UNREFUNDED',
      'CHARGE_NOT_IN_LEDGER',
    ]);
    expect(found.stdout).toMatch(/\d+ mismatch\(es\)/);
    // The same through --prefix, as against a deployed stage (here the SDK's endpoint variables point at the emulators).
    const { LOCAL_DATA_DIR: _unused, ...env } = { ...process.env, ...platform().env };
    const staged = await reconcile(
      ['--prefix', 'ecicomm', '--grace-seconds', '0', '--json'],
      env as Record<string, string>,
    );
    expect(staged.code).toBe(1);
    expect(
      JSON.parse(staged.stdout)
        .mismatches.filter((m: { orderId: string }) => m.orderId === orderId)
        .map((m: { kind: string }) => m.kind)
        .sort(),
    ).toEqual(['CHARGED_CANCELLED_UNREFUNDED', 'CHARGE_NOT_IN_LEDGER']);

    await sleep(1_100);
    const { settleOrders } = await import('../../functions/orders/domain/settlement');
    const deps = await import('../../functions/orders/deps');
    // The open intent is settled against the gateway: the planted charge is recorded and refunded.
    const { livePaymentsDeps } = await import('../../functions/payments/deps');
    await settleOrders({
      orders: deps.orderRepository(),
      stock: deps.stockGateway(),
      payments: deps.paymentsGateway(),
      sagas: deps.stepFunctionsSaga(),
      clock: deps.clock,
      graceSeconds: 1,
      batchSize: 100,
    });
    expect(await orderRow(orderId)).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED' } });
    expect((await livePaymentsDeps().ledger.entries(orderId)).map((e) => e.kind).sort()).toEqual(['CHARGE', 'REFUND']);

    const after = await reconcile(['--grace-seconds', '0']);
    expect(after.stdout.split('\n').filter((l) => l.includes(orderId))).toEqual([]);
  });
});
