/**
 * `npm run smoke` (bin/smoke-test.ts), run as the pipeline runs it after a deployment, against the integration
 * platform: the staging run (with the checkout of the smoke test product, seeded from the same items the
 * stack seeds in AWS) passes every check; the Prod run (--no-checkout) places no order; a stage without the
 * product, an API that does not answer and an API that answers the wrong thing each fail with exit 1 and a
 * line saying what; a bad --api-url is a usage error, exit 2.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { SMOKE_TEST_PRODUCT, smokeTestProductItems } from '../../lib/ops/smoke-test/test-product';
import { dynamo, platform } from '../support/api';
import { runCommand, type Run } from '../support/run-command';

/** `npm run smoke -- …`, as the pipeline's CodeBuild step runs it. */
function smoke(args: string[]): Promise<Run> {
  return runCommand('npm', ['run', '--silent', 'smoke', '--', ...args], { cwd: projectRoot });
}

const tables = () => platform().tableNames;
const stockOfTestProduct = async () => {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tables().inventory, Key: { productId: SMOKE_TEST_PRODUCT.id }, ConsistentRead: true }),
  );
  return Item?.available as number;
};

/** An API that answers every request 200 with a body that is not the contract's. */
let impostor: Server;
let impostorUrl: string;

beforeAll(async () => {
  const items = smokeTestProductItems();
  for (const table of ['products', 'productSkus', 'inventory'] as const)
    await dynamo().send(new PutCommand({ TableName: tables()[table], Item: items[table] }));
  impostor = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome</h1>'));
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => impostor.close(resolve));
  // The product goes, as it goes with its stage: the other files' catalog is the seeded one.
  const keys = {
    products: { id: SMOKE_TEST_PRODUCT.id },
    productSkus: { sku: SMOKE_TEST_PRODUCT.sku },
    inventory: { productId: SMOKE_TEST_PRODUCT.id },
  };
  for (const table of ['products', 'productSkus', 'inventory'] as const)
    await dynamo().send(new DeleteCommand({ TableName: tables()[table], Key: keys[table] }));
});

describe('npm run smoke', () => {
  it('passes every check against a staging-like stage, buying the smoke test product until CONFIRMED', async () => {
    const before = await stockOfTestProduct();
    const run = await smoke(['--api-url', platform().apiUrl]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    for (const check of ['health', 'OpenAPI document', 'product read', 'search', 'sign-up and login', 'checkout'])
      expect(run.stdout).toMatch(new RegExp(`^ok +${check}: `, 'm'));
    expect(run.stdout).toMatch(/checkout: order \S+ CONFIRMED and charged/);
    expect(run.stdout).toContain('smoke test passed: 6 checks');
    expect(await stockOfTestProduct()).toBe(before - 1);
  });

  it('with --no-checkout, as in Prod, reads and signs up but places no order', async () => {
    const before = await stockOfTestProduct();
    const run = await smoke(['--api-url', `${platform().apiUrl}/v1/`, '--no-checkout']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(no checkout)');
    expect(run.stdout).not.toMatch(/checkout:/);
    expect(run.stdout).toContain('smoke test passed: 5 checks');
    expect(await stockOfTestProduct()).toBe(before);
  });

  it('fails (exit 1) on a stage without the smoke test product, saying how to give it one', async () => {
    const run = await smoke(['--api-url', platform().apiUrl, '--product', 'no-such-smoke-product']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^FAIL checkout: the checkout product no-such-smoke-product is not in this stage/m);
    expect(run.stderr).toContain('smoke test failed: checkout failed');
  });

  it('fails (exit 1) when nothing answers at the URL, naming the request and the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const run = await smoke(['--api-url', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`FAIL health: GET http://127.0.0.1:${port}/v1/health: no answer (ECONNREFUSED)`);
    expect(run.stdout).toMatch(/^skip checkout: an earlier check failed/m);
  });

  it('fails (exit 1) when the URL answers but not as the contract says', async () => {
    const run = await smoke(['--api-url', impostorUrl, '--no-checkout']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^FAIL health: GET \/v1\/health: the answer is not what the contract says/m);
    expect(run.stderr).toMatch(/smoke test failed: health failed, OpenAPI document failed, product read failed/);
  });

  it('refuses a --api-url that is not an http(s) URL, or none, as bad usage (exit 2)', async () => {
    const bad = await smoke(['--api-url', 'ftp://example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--api-url <url>' argument 'ftp:\/\/example.com' is invalid\. must be an http\(s\) URL/);
    const none = await smoke([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/required option '--api-url <url>' not specified/);
  });
});
