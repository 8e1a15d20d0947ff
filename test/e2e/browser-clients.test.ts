/**
 * Browser clients of the API, in a real browser (chromium driven by playwright-core) against a platform
 * started here with the local default CORS origins (any port of localhost and 127.0.0.1):
 * - a storefront served from another origin (another port of 127.0.0.1) signs in, adds to the cart and places
 *   an order through the API with fetch, and reads the headers CORS exposes; served from an origin that is not
 *   allowed (127.0.0.2), the same page gets nothing through: the browser sends no request it had to ask about,
 *   and shows the page no answer;
 * - an admin's app on another origin uploads a product image with a presigned PUT straight to the bucket, and shows
 *   the WebP variant the image function made;
 * - the interactive docs at /v1/docs render every operation of /v1/openapi.json from local files only, and
 *   "Try it out" calls the API, signed in through Authorize.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Platform } from '@ecicomm/local-platform/platform';
import { startPlatformOnFreePorts, stopPlatformStartedIn } from '../support/platform-on-free-ports';
import { launchChromium, openPage } from '../support/browser';
import { ok, type CallOptions } from '../support/http-client';

// The page's globals, as page.evaluate sees them (this project type-checks without the DOM library).
declare const document: any;

const STOREFRONT_DIR = fileURLToPath(new URL('storefront/', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-browser-clients-'));
let starting: Promise<Platform> | undefined;
let platform: Platform;
let browser: Browser | undefined;
const storefronts: Server[] = [];
/** Every request the edge answered, in order. */
const edgeLog: { method: string; path: string; status: number }[] = [];

// ------------------------------------------------------------------ the API from Node, for set-up

const call = (route: string, options: CallOptions & { expect?: number } = {}) => ok(platform.apiUrl, route, options);
const signIn = async (email: string, password: string): Promise<string> =>
  (await call('/v1/auth/login', { method: 'POST', body: { email, password } })).idToken;

async function newShopper() {
  const email = `storefront-${randomUUID()}@example.com`;
  const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
  await call('/v1/users', {
    method: 'POST',
    expect: 201,
    body: { email, password, firstName: 'Ada', lastName: 'Shopper' },
  });
  return { email, password };
}

async function newProduct(price: number) {
  const admin = await signIn(platform.admin.email, platform.admin.password);
  const body = {
    name: `Storefront Lantern ${randomUUID().slice(0, 6)}`,
    description: 'made by the browser test',
    category: 'lighting',
    brand: 'Test',
    price,
    currency: 'GBP',
    initialStock: 10,
  };
  return (await call('/v1/products', { method: 'POST', token: admin, expect: 201, body })) as {
    id: string;
    price: number;
  };
}

// ------------------------------------------------------------------ the storefront's own origin

/** Serves test/e2e/storefront/ on `host` (a free port): the shop's browser app, on an origin of its own. */
async function serveStorefront(host: string): Promise<string> {
  const files: Record<string, { file: string; type: string }> = {
    '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
    '/storefront.js': { file: 'storefront.js', type: 'text/javascript; charset=utf-8' },
  };
  const server = createServer((req, res) => {
    const asset = files[new URL(req.url ?? '/', 'http://storefront').pathname];
    if (!asset) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': asset.type }).end(readFileSync(path.join(STOREFRONT_DIR, asset.file)));
  });
  storefronts.push(server);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

async function openStorefront(origin: string, productId: string): Promise<Awaited<ReturnType<typeof openPage>>> {
  const opened = await openPage(browser!);
  await opened.page.goto(
    `${origin}/?api=${encodeURIComponent(platform.apiUrl)}&product=${encodeURIComponent(productId)}`,
  );
  return opened;
}

async function signInOnPage(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const stepOf = (page: Page) => page.locator('body').getAttribute('data-step');
const waitForStep = async (page: Page, step: string) => {
  await page.waitForFunction((wanted) => ['failed', wanted].includes(document.body.dataset.step), step, {
    timeout: 30_000,
  });
  expect([await stepOf(page), await page.getByRole('alert').textContent()]).toEqual([step, '']);
};

// ------------------------------------------------------------------ setup

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  starting = startPlatformOnFreePorts({
    dataDir,
    seed: 'demo',
    model: { port: 0 },
    onRequest: ({ method, path: p, status }) => edgeLog.push({ method, path: p, status }),
  });
  platform = await starting;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  for (const server of storefronts) server.close();
  await stopPlatformStartedIn(starting, dataDir);
}, 60_000);

// ------------------------------------------------------------------ the tests

describe('a storefront on another origin', () => {
  it('signs in, adds to the cart and places an order through the API, reading the headers CORS exposes', async () => {
    const [shopper, product] = await Promise.all([newShopper(), newProduct(1250)]);
    const origin = await serveStorefront('127.0.0.1');
    expect(origin).not.toBe(platform.apiUrl);
    const { page, record } = await openStorefront(origin, product.id);

    const logFrom = edgeLog.length;
    await signInOnPage(page, shopper.email, shopper.password);
    await waitForStep(page, 'signed-in');
    expect(await page.locator('#product-name').textContent()).toMatch(/^Storefront Lantern /);

    await page.getByRole('button', { name: 'Add to cart', exact: true }).click();
    await waitForStep(page, 'in-cart');
    const cartTotal = Number(await page.locator('#cart').getAttribute('data-total'));
    expect(cartTotal).toBeGreaterThanOrEqual(2 * product.price);

    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    await waitForStep(page, 'ordered');
    const status = page.getByRole('status');
    const orderId = await status.getAttribute('data-order-id');
    expect([await status.getAttribute('data-status'), Number(await status.getAttribute('data-total'))]).toEqual([
      'CONFIRMED',
      cartTotal,
    ]);
    // Location and x-request-id are exposed to the app; without Access-Control-Expose-Headers they read as null.
    expect(await status.getAttribute('data-location')).toBe(`/v1/orders/${orderId}`);
    expect(await status.getAttribute('data-request-id')).toMatch(/\S/);

    // The order is the shopper's, as the API tells it to the shopper.
    const order = await call(`/v1/orders/${orderId}`, { token: await signIn(shopper.email, shopper.password) });
    expect([order.status, order.total, order.items.map((i: any) => [i.productId, i.quantity])]).toEqual([
      'CONFIRMED',
      cartTotal,
      [[product.id, 2]],
    ]);

    // The browser asked before each request that needed it: JSON bodies, Authorization, Idempotency-Key.
    const seen = edgeLog.slice(logFrom).map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`);
    for (const asked of [
      'OPTIONS /v1/auth/login 204',
      'OPTIONS /v1/cart/items 204',
      'OPTIONS /v1/orders 204',
      'POST /v1/orders 202',
    ])
      expect(seen).toContain(asked);
    expect(record).toMatchObject({ console: [], pageErrors: [], failedRequests: [] });
  }, 120_000);

  it("reads the API's errors, with their request ids: a handler's 400 and the edge's 401", async () => {
    const origin = await serveStorefront('127.0.0.1');
    const { page, record } = await openStorefront(origin, 'unused');
    const answers = await page.evaluate(async (api) => {
      const read = async (res: any) => ({
        status: res.status,
        code: (await res.json()).error.code,
        requestId: res.headers.get('x-request-id'),
      });
      const invalid = await fetch(`${api}/v1/cart/items`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-session-id': crypto.randomUUID() },
        body: JSON.stringify({ productId: 'x', quantity: 0 }),
      });
      const unauthorized = await fetch(`${api}/v1/users/me`, { headers: { Authorization: 'Bearer not-a-token' } });
      return [await read(invalid), await read(unauthorized)];
    }, platform.apiUrl);
    expect(answers).toEqual([
      { status: 400, code: 'VALIDATION_ERROR', requestId: expect.stringMatching(/\S/) },
      { status: 401, code: 'UNAUTHORIZED', requestId: expect.stringMatching(/\S/) },
    ]);
    expect(record.pageErrors).toEqual([]);
  }, 60_000);

  it('gets nothing through from an origin that is not allowed: no request it had to ask about is sent, no answer is shown', async () => {
    const shopper = await newShopper();
    const origin = await serveStorefront('127.0.0.2');
    const { page, record } = await openStorefront(origin, 'unused');

    const logFrom = edgeLog.length;
    await signInOnPage(page, shopper.email, shopper.password);
    await page.waitForFunction(() => document.body.dataset.step === 'failed', undefined, { timeout: 30_000 });
    expect(await page.getByRole('alert').textContent()).toBe('TypeError: Failed to fetch');
    const seen = edgeLog.slice(logFrom).map((e) => `${e.method} ${e.path}`);
    expect(seen).toContain('OPTIONS /v1/auth/login');
    expect(seen).not.toContain('POST /v1/auth/login');
    expect(record.console.join('\n')).toMatch(/blocked by CORS policy/);

    // A simple GET needs no preflight: the edge answers it, and the browser keeps the answer from the page.
    const simple = await page.evaluate(
      async (api) =>
        fetch(`${api}/v1/products?limit=1`).then(
          (r: any) => `read ${r.status}`,
          (e: any) => `${e.name}: ${e.message}`,
        ),
      platform.apiUrl,
    );
    expect(simple).toBe('TypeError: Failed to fetch');
    expect(
      edgeLog.slice(logFrom).some((e) => e.method === 'GET' && e.path === '/v1/products?limit=1' && e.status === 200),
    ).toBe(true);
  }, 60_000);
});

describe("an admin's browser app on another origin", () => {
  it('uploads a product image straight to the presigned URL, and shows its WebP variant once READY', async () => {
    const product = await newProduct(990);
    const admin = await signIn(platform.admin.email, platform.admin.password);
    // A real photo's shape: a 1200×1200 JPEG with a gradient, made here (nothing downloaded).
    const { default: sharp } = await import('sharp');
    const jpeg = await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#3a6ea5' } })
      .composite([
        {
          input: Buffer.from('<svg width="600" height="600"><circle cx="300" cy="300" r="250" fill="#f4d35e"/></svg>'),
          top: 300,
          left: 300,
        },
      ])
      .jpeg({ quality: 85 })
      .toBuffer();
    const origin = await serveStorefront('127.0.0.1');
    const { page, record } = await openStorefront(origin, product.id);
    // What an admin app does: ask the API for an upload, PUT the file's bytes to the URL it gave, from the page.
    const uploaded = await page.evaluate(
      async ({ api, token, productId, base64 }) => {
        const asked = await fetch(`${api}/v1/products/${productId}/images`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ contentType: 'image/jpeg' }),
        });
        const ticket = (await asked.json()) as { uploadUrl: string; imageKey: string };
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const put = await fetch(ticket.uploadUrl, {
          method: 'PUT',
          headers: { 'content-type': 'image/jpeg' },
          body: new Blob([bytes], { type: 'image/jpeg' }),
        });
        await put.text();
        return { asked: asked.status, imageKey: ticket.imageKey, put: put.status };
      },
      { api: platform.apiUrl, token: admin, productId: product.id, base64: jpeg.toString('base64') },
    );
    expect({ asked: uploaded.asked, put: uploaded.put }).toEqual({ asked: 201, put: 200 });

    let status: any;
    for (let i = 0; i < 120; i++) {
      status = await call(`/v1/products/${product.id}/images/${uploaded.imageKey}`, { token: admin });
      if (status.status !== 'PROCESSING') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toMatchObject({ status: 'READY' });
    const { imageUrls } = await call(`/v1/products/${product.id}`);
    const large = (imageUrls as string[]).find((url) => url.includes('/800.webp'))!;
    expect(large).toBeDefined();
    // The variant loads in the page as an image, 800 px wide, from the bucket's public variants.
    const shown = await page.evaluate(async (src) => {
      const img = document.createElement('img');
      img.src = src;
      await img.decode();
      return { width: img.naturalWidth, height: img.naturalHeight };
    }, large);
    expect(shown).toEqual({ width: 800, height: 800 });
    expect(record).toMatchObject({ console: [], pageErrors: [], failedRequests: [] });
  }, 120_000);
});

describe('the interactive API docs at /v1/docs', () => {
  it('render every operation of /v1/openapi.json, with every file from the platform itself and nothing the CSP refuses', async () => {
    const openapi = await call('/v1/openapi.json');
    const operations = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(
      ([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const { page, record } = await openPage(browser!);
    await page.goto(`${platform.apiUrl}/v1/docs`);
    await page.locator('.opblock').first().waitFor();
    const shown = await page
      .locator('.opblock .opblock-summary')
      .evaluateAll((summaries: any[]) =>
        summaries.map(
          (s) =>
            `${s.querySelector('.opblock-summary-method').textContent} ${s.querySelector('.opblock-summary-path').dataset.path}`,
        ),
      );
    expect(shown.sort()).toEqual(operations.sort());
    expect(await page.locator('.info .title').textContent()).toContain('ECIComm API');
    expect(record).toMatchObject({ console: [], pageErrors: [], failedRequests: [] });
    expect(record.requests.filter((r) => !r.split(' ')[1].startsWith(`${platform.apiUrl}/`))).toEqual([]);
  }, 60_000);

  it('tries operations out: a public one, then a signed-in one with the ID token given to Authorize', async () => {
    const shopper = await newShopper();
    const token = await signIn(shopper.email, shopper.password);
    const { page, record } = await openPage(browser!);
    await page.goto(`${platform.apiUrl}/v1/docs`);

    /** Opens an operation, tries it out and executes it; the status and body shown for the live response. */
    const tryOut = async (operationId: string) => {
      const operation = page.locator(`[id$="-${operationId}"].opblock`);
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.getByRole('button', { name: 'Execute' }).click();
      const response = operation.locator('.live-responses-table .response').first();
      await response.waitFor({ timeout: 30_000 });
      return {
        status: (await response.locator('.response-col_status').textContent())?.trim(),
        body: JSON.parse((await response.locator('.response-col_description pre').first().textContent()) ?? 'null'),
      };
    };

    const products = await tryOut('listProducts');
    expect(products.status).toBe('200');
    expect(products.body.items.length).toBeGreaterThan(0);

    await page.locator('.scheme-container .authorize').click();
    // The dialog has a form per security scheme: the bearer token's, and the partners' API key's.
    const bearer = page.locator('.modal-ux .auth-container').filter({ has: page.locator('#auth-bearer-value') });
    await bearer.locator('input').fill(token);
    await bearer.getByRole('button', { name: 'Apply credentials', exact: true }).click();
    // Authorized, its form shows no input any more: the dialog's own close button.
    await page.locator('.modal-ux .close-modal').click();
    const me = await tryOut('getMyProfile');
    expect([me.status, me.body.email]).toEqual(['200', shopper.email]);
    expect(record).toMatchObject({ pageErrors: [], failedRequests: [] });
  }, 90_000);
});
