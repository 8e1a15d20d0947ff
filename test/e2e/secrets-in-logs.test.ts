/**
 * What the platform writes to its logs while shoppers register, sign in, change their profile and check out
 * (paid and declined), with every log level on and Powertools told to log each invocation's event
 * (POWERTOOLS_LOGGER_LOG_EVENT, what an operator switches on to debug a function): `npm start`'s program in
 * its own process, all of its stdout and stderr read. No password, token, payment token, phone number or
 * address of the shopper may appear in it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { DEFAULT_ADMIN, projectRoot } from '@ecicomm/local-platform/platform';
import { emfDocuments, emfMetrics } from '../support/emf';
import { freePortEnvironment, START_ARGS } from '../support/platform-process';
import { call } from '../support/http-client';

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-secrets-logs-'));
let child: ChildProcess | undefined;
let output = '';

/** `npm start`'s command (node --import tsx bin/local.ts), run with this Node, in its own process group. */
async function startPlatform(): Promise<string> {
  const ports = await freePortEnvironment();
  child = spawn(process.execPath, START_ARGS, {
    cwd: projectRoot,
    detached: true,
    env: {
      ...process.env,
      ...ports,
      LOCAL_DATA_DIR: dataDir,
      DATASET_DIR: path.join(dataDir, 'no-dataset-here'),
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_LOGGER_LOG_EVENT: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Read everything, always: a child whose pipe fills stops answering.
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 1200 && !output.includes('Press Ctrl-C to stop.'); i++) {
    if (child.exitCode !== null) throw new Error(`the platform exited with ${await exited}:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!output.includes('Press Ctrl-C to stop.')) throw new Error(`the platform was not ready:\n${output}`);
  return `http://127.0.0.1:${ports.PORT}/v1`;
}

async function stopPlatform(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
}

afterAll(async () => {
  await stopPlatform();
  // Whatever is left in the child's group (its emulators, should it have died) goes too.
  try {
    if (child?.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is empty.
  }
  const pidFile = path.join(dataDir, 'pids.json');
  for (const pid of existsSync(pidFile) ? (JSON.parse(readFileSync(pidFile, 'utf8')) as { pids: number[] }).pids : []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The handlers' log records in the output: one JSON object a line, or (POWERTOOLS_DEV, which the local platform
 * sets) indented over several lines from a `{` line to a `}` line.
 */
function logRecords(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  let pending: string[] | undefined;
  for (const line of output.split('\n')) {
    if (pending) {
      pending.push(line);
      if (line !== '}') continue;
    } else if (line === '{') {
      pending = [line];
      continue;
    } else if (!(line.startsWith('{') && line.endsWith('}'))) continue;
    try {
      records.push(JSON.parse(pending ? pending.join('\n') : line) as Record<string, unknown>);
    } catch {
      // Not a log record.
    }
    pending = undefined;
  }
  return records;
}

/** Whether a function logged the event of an invocation that concerned this order. */
const loggedEvent = (functionName: string, orderId: string) =>
  logRecords().some(
    (r) =>
      r.message === 'Lambda invocation event' &&
      r.function_name === functionName &&
      JSON.stringify(r.event).includes(orderId),
  );

const waitFor = async (what: string, done: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 600; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('the platform’s logs, at DEBUG with every event logged', () => {
  it('never carry a shopper’s password, tokens, payment tokens, phone number or addresses', async () => {
    const api = await startPlatform();
    const email = `logged-${randomUUID()}@example.com`;
    const password = `Pw!${randomBytes(6).toString('hex')}a9Z`;
    const phoneNumber = `+4477009${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const homeAddress = `${Math.floor(Math.random() * 900) + 100} Secretwood Lane ${randomUUID().slice(0, 8)}`;
    const address = {
      name: 'Log Shopper',
      line1: `Flat ${randomUUID().slice(0, 6)}, Hidden Mews`,
      line2: `Quiet Yard ${randomUUID().slice(0, 6)}`,
      city: 'Logtown',
      postalCode: 'LG1 1AA',
      country: 'GB',
    };
    const declinedToken = `tok_leak${randomBytes(8).toString('hex')}`;

    expect(
      (await call(api, '/users', { method: 'POST', body: { email, password, firstName: 'Log', lastName: 'Shopper' } }))
        .status,
    ).toBe(201);
    const login = await call(api, '/auth/login', { method: 'POST', body: { email, password } });
    expect(login.status).toBe(200);
    const tokens = login.body as { idToken: string; accessToken: string; refreshToken: string };
    expect((await call(api, '/auth/login', { method: 'POST', body: { email, password: `${password}x` } })).status).toBe(
      401,
    );
    expect(
      (await call(api, '/auth/login', { method: 'POST', raw: `{"email":"${email}","password":"${password}"` })).status,
    ).toBe(400);
    expect(
      (
        await call(api, '/users/me', {
          method: 'PATCH',
          token: tokens.idToken,
          body: { phoneNumber, preferences: { deliverTo: homeAddress } },
        })
      ).status,
    ).toBe(200);
    expect((await call(api, '/users/me', { token: tokens.idToken })).status).toBe(200);

    const admin = await call(api, '/auth/login', { method: 'POST', body: DEFAULT_ADMIN });
    const product = await call(api, '/products', {
      method: 'POST',
      token: admin.body.idToken,
      body: {
        name: 'Logged Lamp',
        description: '',
        category: 'other',
        brand: 'Test',
        price: 1500,
        currency: 'GBP',
        initialStock: 10,
      },
    });
    expect(product.status).toBe(201);

    const outcomes: Record<string, string> = {
      tok_visa: 'CONFIRMED',
      tok_processingError: 'CONFIRMED',
      [declinedToken]: 'CANCELLED',
    };
    const orderIds: string[] = [];
    for (const [paymentToken, outcome] of Object.entries(outcomes)) {
      const placed = await call(api, '/orders', {
        method: 'POST',
        token: tokens.idToken,
        headers: { 'idempotency-key': randomUUID() },
        body: { shippingAddress: address, paymentToken, items: [{ productId: product.body.id, quantity: 1 }] },
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(202);
      const { orderId } = placed.body as { orderId: string };
      orderIds.push(orderId);
      await waitFor(
        `order ${orderId} ${outcome}`,
        async () => (await call(api, `/orders/${orderId}`, { token: tokens.idToken })).body.status === outcome,
      );
    }
    // The saga's steps and the orders stream's consumer logged their events (the saga state, the order's
    // stream record): the check below covers them, not an empty log.
    for (const orderId of orderIds) {
      await waitFor(`the charge step's event of ${orderId}`, () => loggedEvent('chargePayment', orderId));
      await waitFor(`the orders stream consumer's event of ${orderId}`, () => loggedEvent('loadOrdersStream', orderId));
    }
    await stopPlatform();
    const eventsOf = (functionName: string) =>
      logRecords().filter((r) => r.message === 'Lambda invocation event' && r.function_name === functionName);
    expect(eventsOf('registerUser')).toHaveLength(1);
    expect(eventsOf('updateMyProfile')).toHaveLength(1);
    expect(eventsOf('placeOrder')).toHaveLength(3);
    expect(eventsOf('login').length).toBeGreaterThanOrEqual(3);
    // npm start's output is the platform's log: the business metrics are in it as valid EMF, for the local stage.
    const placed = emfDocuments(output)
      .flatMap(emfMetrics)
      .filter((m) => m.name === 'OrdersPlaced' && m.dimensions.stage === 'local');
    expect(placed.reduce((sum, m) => sum + m.value, 0)).toBe(3);

    const secrets = {
      password,
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      paymentToken: 'tok_visa',
      transientPaymentToken: 'tok_processingError',
      declinedPaymentToken: declinedToken,
      phoneNumber,
      homeAddress,
      line1: address.line1,
      line2: address.line2,
    };
    const leaks = Object.entries(secrets)
      .filter(([, secret]) => output.includes(secret))
      .map(([name]) => name);
    expect(leaks).toEqual([]);
  });
});
