/**
 * The analysts' dashboard in a real browser: chromium (test/support/browser.ts) driven by playwright-core against a local
 * platform started in this file. Data goes in through the real paths (clickstream events, orders the
 * saga confirms, the stream consumers loading the warehouse), the page signs in and reads the analytics
 * API, and every chart must hold exactly what the API returned, with no console error and no failed
 * request. The screenshot is kept in test-output/dashboard.png.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { replayHistory } from '@ecicomm/local-platform/history/replay';
import { projectRoot, type Platform } from '@ecicomm/local-platform/platform';
import { launchChromium } from '../support/browser';
import { FIXTURE_RANGE, writeHistoryFixture } from '../support/history-fixture';
import { startPlatformOnFreePorts, stopPlatformStartedIn } from '../support/platform-on-free-ports';
import { call as callApi, ok as okAt, type CallOptions } from '../support/http-client';
import { PRICING_CASES, writeTestInsightsModel } from '../support/insights-model';

// The page's globals, as page.evaluate sees them (this project type-checks without the DOM library).
declare const document: any;
declare const echarts: any;
declare const sessionStorage: any;

const SCREENSHOT = path.join(projectRoot, 'test-output', 'dashboard.png');

const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-dashboard-'));
let starting: Promise<Platform> | undefined;
let platform: Platform;
let browser: Browser | undefined;

// ------------------------------------------------------------------ talking to the API

const call = (route: string, options: CallOptions = {}) => callApi(platform.apiUrl, route, options);
const ok = (route: string, options: CallOptions & { expect?: number } = {}) => okAt(platform.apiUrl, route, options);
const signIn = async (email: string, password: string): Promise<string> =>
  (await ok('/v1/auth/login', { method: 'POST', body: { email, password } })).idToken;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "£1,234.56", written out here rather than with the page's Intl formatter. */
const pounds = (pence: number) => {
  const [whole, fraction] = (Math.abs(pence) / 100).toFixed(2).split('.');
  return `${pence < 0 ? '-' : ''}£${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
};

// ------------------------------------------------------------------ the browser

interface PageProblems {
  console: string[];
  pageErrors: string[];
  failedRequests: string[];
  errorResponses: string[];
}
async function openPage(): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems: PageProblems = { console: [], pageErrors: [], failedRequests: [], errorResponses: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  page.on('requestfailed', (r) => problems.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400)
      problems.errorResponses.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { page, problems };
}

async function signInOnPage(page: Page, email: string, password: string) {
  await page.goto(`${platform.apiUrl}/dashboard`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** What ECharts holds for one chart: its series' data and its axes' categories. */
const chartOf = (page: Page, id: string) =>
  page.evaluate((chartId) => {
    const chart = echarts.getInstanceByDom(document.getElementById(chartId));
    if (!chart) return undefined;
    const option = chart.getOption();
    return {
      series: option.series.map((s: any) => ({ id: s.id, type: s.type, data: s.data })),
      xAxis: option.xAxis?.map((a: any) => a.data ?? null),
      yAxis: option.yAxis?.map((a: any) => a.data ?? null),
    };
  }, id);

// ------------------------------------------------------------------ setup

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  // The hand-made demand-insights model (demo-catalog products), so the forecast and pricing sections have answers.
  const insights = { dir: writeTestInsightsModel(path.join(dataDir, 'test-insights-model')) };
  starting = startPlatformOnFreePorts({ dataDir, seed: 'demo', model: { port: 0 }, insights });
  platform = await starting;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stopPlatformStartedIn(starting, dataDir);
}, 60_000);

// ------------------------------------------------------------------ the tests

describe("the analysts' dashboard at /dashboard", () => {
  it('serves the page and its assets under a strict CSP, ECharts from node_modules, and 404 for anything else', async () => {
    const page = await fetch(`${platform.apiUrl}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    const html = await page.text();
    expect(html).toContain('<script src="/dashboard/echarts.min.js" defer></script>');
    // Nothing inline for the CSP to refuse.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);

    const assets = [
      ['/dashboard/', 'text/html; charset=utf-8'],
      ['/dashboard/dashboard.js', 'text/javascript; charset=utf-8'],
      ['/dashboard/dashboard.css', 'text/css; charset=utf-8'],
      ['/dashboard/echarts.min.js', 'text/javascript; charset=utf-8'],
    ] as const;
    for (const [route, type] of assets) {
      const res = await fetch(`${platform.apiUrl}${route}`);
      expect([route, res.status, res.headers.get('content-type'), res.headers.get('x-content-type-options')]).toEqual([
        route,
        200,
        type,
        'nosniff',
      ]);
      if (route.endsWith('echarts.min.js')) {
        expect(await res.text()).toBe(
          readFileSync(path.join(projectRoot, 'node_modules/echarts/dist/echarts.min.js'), 'utf8'),
        );
      } else await res.arrayBuffer();
    }

    for (const route of [
      '/dashboard/serve.ts',
      '/dashboard/index.html',
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/package.json',
      '/dashboard/nope.js',
    ]) {
      const res = await fetch(`${platform.apiUrl}${route}`);
      expect([route, res.status, ((await res.json()) as any).error.code]).toEqual([route, 404, 'NOT_FOUND']);
    }
    const post = await fetch(`${platform.apiUrl}/dashboard`, { method: 'POST', body: '{}' });
    expect([post.status, ((await post.json()) as any).error.code]).toEqual([404, 'NOT_FOUND']);
    // The API beside it is untouched.
    expect((await fetch(`${platform.apiUrl}/v1/health`)).status).not.toBe(404);
  });

  it('draws what the analytics API reports for orders the saga confirmed and clickstream events, with no console error', async () => {
    const adminToken = await signIn(platform.admin.email, platform.admin.password);

    // Three products with known prices. Once the orders below are confirmed the teapot has one left (a few
    // days of cover at its rate) and the tote none: stock insights for the list.
    const specs = [
      { name: `Dashboard Lantern ${randomUUID().slice(0, 6)}`, category: 'lighting', price: 1250, initialStock: 100 },
      {
        name: `Dashboard Teapot ${randomUUID().slice(0, 6)}`,
        category: 'kitchen-dining',
        price: 2999,
        initialStock: 9,
      },
      { name: `Dashboard Tote ${randomUUID().slice(0, 6)}`, category: 'bags', price: 450, initialStock: 3 },
    ];
    const products: { id: string; name: string; category: string; price: number }[] = [];
    for (const spec of specs) {
      const created = await ok('/v1/products', {
        method: 'POST',
        token: adminToken,
        expect: 201,
        body: { ...spec, description: 'made by the dashboard test', brand: 'Test', currency: 'GBP' },
      });
      products.push({ id: created.id, name: spec.name, category: spec.category, price: spec.price });
    }
    const [lantern, teapot, tote] = products as [(typeof products)[0], (typeof products)[0], (typeof products)[0]];

    // Shoppers browse: product views and add-to-carts, each session on its own. Anonymous clients also send
    // purchase events with made-up values (some back-dated by hours): they count towards nothing, purchases
    // are the orders below.
    const sessions = Array.from({ length: 6 }, () => randomUUID());
    const events = [
      ...sessions.map((sessionId, i) => ({ type: 'product_view', sessionId, productId: products[i % 3].id })),
      ...sessions.map((sessionId) => ({ type: 'product_view', sessionId, productId: lantern.id })),
      ...sessions
        .slice(0, 4)
        .map((sessionId, i) => ({ type: 'add_to_cart', sessionId, productId: products[i % 3].id })),
      ...sessions.map((sessionId, i) => ({
        type: 'purchase',
        sessionId,
        productId: lantern.id,
        value: 99_999_999,
        at: new Date(Date.now() - i * 3_600_000).toISOString(),
      })),
    ];
    const sent = { productViews: 12, addToCarts: 4, sessions: 6 };
    expect(await ok('/v1/events', { method: 'POST', body: { events }, expect: 202 })).toEqual({
      accepted: events.length,
    });

    // Two orders through the API, confirmed by the platform's saga.
    const email = `analytics-shopper-${randomUUID()}@example.com`;
    const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
    await ok('/v1/users', {
      method: 'POST',
      expect: 201,
      body: { email, password, firstName: 'Dana', lastName: 'Shopper' },
    });
    const shopperToken = await signIn(email, password);
    const address = {
      name: 'Ada Lovelace',
      line1: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    };
    const baskets = [
      [
        { productId: lantern.id, quantity: 2 },
        { productId: teapot.id, quantity: 8 },
      ],
      [
        { productId: tote.id, quantity: 3 },
        { productId: lantern.id, quantity: 1 },
      ],
    ];
    for (const items of baskets) {
      const placed = await ok('/v1/orders', {
        method: 'POST',
        token: shopperToken,
        expect: 202,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { shippingAddress: address, paymentToken: 'tok_visa', items },
      });
      let order = placed;
      for (let i = 0; i < 150 && order.status === 'PENDING'; i++) {
        await sleep(100);
        order = await ok(`/v1/orders/${placed.orderId}`, { token: shopperToken });
      }
      expect([order.orderId, order.status]).toEqual([placed.orderId, 'CONFIRMED']);
    }
    const units = { [lantern.id]: 3, [teapot.id]: 8, [tote.id]: 3 };

    // The stream consumers load the warehouse; the contract gives a confirmed order 30 s to be counted.
    const today = new Date().toISOString().slice(0, 10);
    const monthAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const summaryRoute = `/v1/analytics/dashboard/summary?startDate=${monthAgo}&endDate=${today}`;
    let counted = await ok(summaryRoute, { token: adminToken });
    // Until the orders, the clickstream and the product records (the products stream names the top products) are in.
    const named = (summary: any) =>
      summary.topProducts.length === products.length && summary.topProducts.every((p: any) => p.name !== p.productId);
    for (
      let i = 0;
      i < 120 &&
      (counted.orders < 2 ||
        // Each figure is its own statement, so one answer may count an order that another does not yet.
        counted.funnelPurchases < 2 ||
        counted.productViews < sent.productViews ||
        counted.addToCarts < sent.addToCarts ||
        counted.sessions < sent.sessions ||
        !named(counted));
      i++
    ) {
      await sleep(500);
      counted = await ok(summaryRoute, { token: adminToken });
    }
    expect(counted).toMatchObject({ orders: 2, currency: 'GBP', ...sent, purchases: 2, conversionRate: 2 / 6 });
    expect(counted).toMatchObject({ clickstream: 'recorded', browsingSessions: 6, funnelConversionRate: 2 / 6 });
    // Revenue is the orders' lines, whatever value the purchase events claimed.
    expect(counted.revenue).toBe(products.reduce((sum, p) => sum + units[p.id] * p.price, 0));
    expect(Object.fromEntries(counted.topProducts.map((p: any) => [p.productId, [p.units, p.revenue]]))).toEqual(
      Object.fromEntries(products.map((p) => [p.id, [units[p.id], units[p.id] * p.price]])),
    );

    // The inventory stream carries the stock left to the warehouse: the insights name both products.
    const stockInsights = async () =>
      ((await ok('/v1/analytics/insights', { token: adminToken })).items as any[]).filter(
        (i) => i.productId === teapot.id || i.productId === tote.id,
      );
    let flagged = await stockInsights();
    for (let i = 0; i < 120 && flagged.length < 2; i++) {
      await sleep(500);
      flagged = await stockInsights();
    }
    expect(flagged.map((i) => [i.kind, i.productId])).toEqual([
      ['out_of_stock', tote.id],
      ['low_stock', teapot.id],
    ]);

    // Shoppers search for what the catalog does not have (made-up words, so not even a typo of a catalog word
    // matches): one query three times, in two spellings of case, another once. Each search is a clickstream event.
    const made = () => Array.from({ length: 10 }, () => 'bcdfghjkmnpqrstvwxz'[Math.floor(Math.random() * 19)]).join('');
    const [often, once] = [`${made()} ${made()}`, made()];
    for (const q of [often, often.toUpperCase(), often, once]) {
      const found = await ok(`/v1/search?q=${encodeURIComponent(q)}`, { headers: { 'x-session-id': sessions[0] } });
      expect([q, found.total]).toEqual([q, 0]);
    }
    const noResults = async () =>
      ((await ok('/v1/analytics/insights', { token: adminToken })).items as any[]).filter(
        (i) => i.kind === 'no_results',
      );
    let missing = await noResults();
    for (let i = 0; i < 120 && missing.length < 2; i++) {
      await sleep(500);
      missing = await noResults();
    }
    expect(missing.map((i) => [i.query, i.metric])).toEqual([
      [often, 3],
      [once, 1],
    ]);

    // The page, signed in as the platform's admin.
    const { page, problems } = await openPage();
    await signInOnPage(page, platform.admin.email, platform.admin.password);
    await page.locator('body[data-state="ready"]').waitFor();
    expect(await page.getByRole('alert').filter({ hasText: /./ }).count()).toBe(0);
    const startDate = await page.getByLabel('From', { exact: true }).inputValue();
    const endDate = await page.getByLabel('To', { exact: true }).inputValue();
    expect([startDate, endDate]).toEqual([monthAgo, today]);

    // The same questions the page asked, asked here.
    const range = `startDate=${startDate}&endDate=${endDate}`;
    const [summary, byDay, byCategory, insights] = await Promise.all([
      ok(`/v1/analytics/dashboard/summary?${range}`, { token: adminToken }),
      ok(`/v1/analytics/reports/sales?${range}&dimension=day`, { token: adminToken }),
      ok(`/v1/analytics/reports/sales?${range}&dimension=category`, { token: adminToken }),
      ok('/v1/analytics/insights', { token: adminToken }),
    ]);
    expect(summary).toEqual(counted);
    // A row for every day of the range; the sales are all today's.
    expect(byDay.rows).toHaveLength(30);
    expect(byDay.rows.filter((r: any) => r.orders > 0)).toEqual([
      { key: today, orders: 2, units: 14, revenue: summary.revenue },
    ]);
    expect(byCategory.rows.map((r: any) => r.key).sort()).toEqual(products.map((p) => p.category).sort());

    // KPI tiles.
    const tile = (name: string) => page.getByRole('status', { name, exact: true }).textContent();
    expect([
      await tile('Orders'),
      await tile('Revenue'),
      await tile('Average order value'),
      await tile('Conversion rate'),
    ]).toEqual([
      summary.orders.toLocaleString('en-GB'),
      pounds(summary.revenue),
      pounds(summary.averageOrderValue),
      `${(summary.funnelConversionRate * 100).toFixed(1)}%`,
    ]);

    // Revenue (bars, pence) and orders (line) by day.
    const daily = await chartOf(page, 'chart-daily');
    expect(daily?.series).toEqual([
      { id: 'revenue', type: 'bar', data: byDay.rows.map((r: any) => [r.key, r.revenue]) },
      { id: 'orders', type: 'line', data: byDay.rows.map((r: any) => [r.key, r.orders]) },
    ]);

    // Top products, largest at the top of the horizontal bars.
    const top = await chartOf(page, 'chart-top-products');
    const topFirst = [...summary.topProducts].reverse();
    expect(top?.yAxis).toEqual([topFirst.map((p: any) => p.name)]);
    expect(top?.series.map((s: any) => s.data.map((d: any) => [d.productId, d.value, d.units]))).toEqual([
      topFirst.map((p: any) => [p.productId, p.revenue, p.units]),
    ]);

    // The funnel: product views → add to carts → purchases.
    const funnel = await chartOf(page, 'chart-funnel');
    expect(funnel?.series).toEqual([
      {
        id: 'funnel',
        type: 'funnel',
        data: [
          { name: 'Product views', value: summary.productViews },
          { name: 'Add to carts', value: summary.addToCarts },
          { name: 'Purchases', value: summary.purchases },
        ],
      },
    ]);

    // Sales by category, largest first.
    const categories = await chartOf(page, 'chart-category');
    const byRevenue = [...byCategory.rows].sort((a: any, b: any) => b.revenue - a.revenue);
    expect(categories?.xAxis).toEqual([byRevenue.map((r: any) => r.key)]);
    expect(categories?.series.map((s: any) => s.data.map((d: any) => [d.name, d.value, d.orders, d.units]))).toEqual([
      byRevenue.map((r: any) => [r.key, r.revenue, r.orders, r.units]),
    ]);

    // Insights, in the API's order; the searches that found nothing have a chart of their own.
    const findings = insights.items.filter((i: any) => i.kind !== 'no_results');
    const listed = await page
      .locator('#insights li')
      .evaluateAll((lis: any[]) =>
        lis.map((li) => [li.dataset.kind ?? null, li.querySelector('.message')?.textContent ?? li.textContent]),
      );
    expect(listed).toEqual(
      findings.length ? findings.map((i: any) => [i.kind, i.message]) : [[null, 'Nothing needs attention.']],
    );

    // Searches with no results, the most searched at the top of the bars.
    const searched = insights.items.filter((i: any) => i.kind === 'no_results').reverse();
    expect(searched.map((i: any) => i.query)).toEqual([once, often]);
    const noResultChart = await chartOf(page, 'chart-no-results');
    expect(noResultChart?.yAxis).toEqual([searched.map((i: any) => i.query)]);
    expect(noResultChart?.series).toEqual([
      { id: 'searches', type: 'bar', data: searched.map((i: any) => ({ value: i.metric, name: i.query })) },
    ]);

    // Demand forecast: the range's first top product is shown at once (one the model never saw sold: it says so);
    // then a product of the model's, its band a polygon of p90s out and p10s back, a point per forecast week each.
    await page.locator('body[data-models="ready"]').waitFor();
    expect(await page.locator('#forecast-note').textContent()).toContain('never saw it sold');
    expect(await page.locator('#forecast-chart').isVisible()).toBe(false);
    const { productId: priced, suggestedPrice } = PRICING_CASES.elastic;
    await page.getByLabel('Product', { exact: true }).fill(priced);
    await page.getByLabel('Weeks', { exact: true }).fill('6');
    await page.getByRole('button', { name: 'Forecast', exact: true }).click();
    await page.locator('body[data-models="ready"]').waitFor();
    const forecast = await ok(`/v1/analytics/forecast?productId=${priced}&weeks=6`, { token: adminToken });
    const pointsOf = (series: string) =>
      page
        .locator(`#forecast-chart [data-series="${series}"]`)
        .getAttribute('points')
        .then((points) => (points ?? '').trim().split(/\s+/).filter(Boolean));
    const band = await pointsOf('band');
    expect(band).toHaveLength(2 * forecast.weeks.length);
    expect(await pointsOf('forecast')).toHaveLength(forecast.weeks.length);
    expect(await pointsOf('history')).toHaveLength(forecast.history.length);
    // p90 above p10 in every week (SVG y grows downwards): the band's first half lies above its second, reversed.
    const ys = band.map((p) => Number(p.split(',')[1]));
    const weeksShown = forecast.weeks.length;
    for (let i = 0; i < weeksShown; i++) expect(ys[i]).toBeLessThanOrEqual(ys[2 * weeksShown - 1 - i]);
    expect(await page.locator('#forecast-chart').isVisible()).toBe(true);

    // Pricing for the admin: the model's elasticity, interval, suggestion and reason, as the API gives them.
    const pricing = await ok(`/v1/analytics/pricing?productId=${priced}`, { token: adminToken });
    expect(pricing.suggestedPrice).toBe(Math.round(suggestedPrice * 100));
    expect([
      await page.locator('#pricing-current').textContent(),
      await page.locator('#pricing-elasticity').textContent(),
      await page.locator('#pricing-interval').textContent(),
      await page.locator('#pricing-suggested').textContent(),
      await page.locator('#pricing-reason').textContent(),
    ]).toEqual([
      pounds(pricing.currentPrice),
      pricing.elasticity.toFixed(2).replace('-', '−'),
      `${pricing.interval[0].toFixed(2).replace('-', '−')} to ${pricing.interval[1].toFixed(2).replace('-', '−')}`,
      pounds(pricing.suggestedPrice),
      pricing.reason,
    ]);

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`dashboard screenshot: ${SCREENSHOT}`);

    // Tooltips show without a console error: rich text drawn on the canvas leaves the CSP nothing to refuse.
    const lastDay = byDay.rows.length - 1;
    await page.evaluate((dataIndex) => {
      echarts
        .getInstanceByDom(document.getElementById('chart-daily'))
        .dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex });
      echarts
        .getInstanceByDom(document.getElementById('chart-top-products'))
        .dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 });
      echarts
        .getInstanceByDom(document.getElementById('chart-funnel'))
        .dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 2 });
      echarts
        .getInstanceByDom(document.getElementById('chart-category'))
        .dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 });
      echarts
        .getInstanceByDom(document.getElementById('chart-no-results'))
        .dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 });
    }, lastDay);

    // "All data" narrows the range to the days that have sales: here, today.
    await page.getByRole('button', { name: 'All data', exact: true }).click();
    await page.locator('body[data-state="ready"]').waitFor();
    expect([
      await page.getByLabel('From', { exact: true }).inputValue(),
      await page.getByLabel('To', { exact: true }).inputValue(),
    ]).toEqual([today, today]);
    expect((await chartOf(page, 'chart-daily'))?.series[0].data).toEqual([[today, summary.revenue]]);

    // A reload keeps the session (the token is in sessionStorage); signing out forgets it.
    await page.reload();
    await page.locator('body[data-state="ready"]').waitFor();
    expect(await page.getByRole('status', { name: 'Orders', exact: true }).textContent()).toBe(
      summary.orders.toLocaleString('en-GB'),
    );
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    expect([
      await page.locator('body').getAttribute('data-state'),
      await page.getByLabel('Email', { exact: true }).isVisible(),
    ]).toEqual(['signed-out', true]);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [], errorResponses: [] });
    await page.context().close();
  });

  it('tells a shopper the page is for analyst or admin only, and a wrong password what the API said', async () => {
    const email = `dashboard-shopper-${randomUUID()}@example.com`;
    const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
    await ok('/v1/users', {
      method: 'POST',
      expect: 201,
      body: { email, password, firstName: 'Sam', lastName: 'Shopper' },
    });

    const { page, problems } = await openPage();
    await signInOnPage(page, email, `${password}-wrong`);
    await page.locator('body[data-state="signed-out-with-error"]').waitFor();
    const wrong = await call('/v1/auth/login', { method: 'POST', body: { email, password: `${password}-wrong` } });
    expect(await page.locator('#sign-in-error').textContent()).toBe(wrong.body.error.message);

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('body[data-state="forbidden"]').waitFor();
    expect(await page.locator('#sign-in-error').textContent()).toContain('analyst or admin only');
    expect(await page.locator('#sign-in-error').isVisible()).toBe(true);
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    // The shopper's token is not kept.
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    // The failures the page showed are the only ones: the 401 and the analytics calls' 403s.
    expect(problems.pageErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(
      problems.errorResponses.filter((r) => !/^(401 POST \/v1\/auth\/login|403 GET \/v1\/analytics\/)/.test(r)),
    ).toEqual([]);
    expect(problems.errorResponses.length).toBeGreaterThan(1);
    // Chromium itself logs each 4xx response as "Failed to load resource"; the page logs nothing.
    expect(problems.console.filter((m) => !m.includes('Failed to load resource'))).toEqual([]);
    await page.context().close();
  });

  it('tells an analyst that pricing needs an admin, and asks the pricing route nothing', async () => {
    const email = `dashboard-analyst-${randomUUID()}@example.com`;
    const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
    await ok('/v1/users', {
      method: 'POST',
      expect: 201,
      body: { email, password, firstName: 'Ana', lastName: 'Lyst' },
    });
    const cognito = new CognitoIdentityProviderClient({
      region: platform.region,
      endpoint: platform.cognitoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: platform.userPoolId, Username: email, GroupName: 'analyst' }),
    );
    cognito.destroy();

    const { page, problems } = await openPage();
    await signInOnPage(page, email, password);
    await page.locator('body[data-state="ready"]').waitFor();
    await page.getByLabel('Product', { exact: true }).fill(PRICING_CASES.elastic.productId);
    await page.getByRole('button', { name: 'Forecast', exact: true }).click();
    await page.locator('body[data-models="ready"]').waitFor();
    expect(await page.locator('#pricing-note').textContent()).toContain('Pricing needs an admin');
    expect(await page.locator('#pricing').isVisible()).toBe(false);
    expect(await page.locator('#forecast-chart [data-series="band"]').count()).toBe(1);
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [], errorResponses: [] });
    await page.context().close();
  });

  it("shows the API's validation errors on the page, and asks for a new sign-in when the token is refused", async () => {
    const { page, problems } = await openPage();
    await signInOnPage(page, platform.admin.email, platform.admin.password);
    await page.locator('body[data-state="ready"]').waitFor();

    // Before the first day the API answers for: its 400, in the contract's shape, is what the page shows.
    const endDate = await page.getByLabel('To', { exact: true }).inputValue();
    await page.getByLabel('From', { exact: true }).fill('1969-12-31');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('body[data-state="error"]').waitFor();
    const refused = await call(`/v1/analytics/dashboard/summary?startDate=1969-12-31&endDate=${endDate}`, {
      token: await signIn(platform.admin.email, platform.admin.password),
    });
    expect(refused.status).toBe(400);
    const shown = await page.getByRole('alert').filter({ hasText: /./ }).textContent();
    expect(shown).toContain(refused.body.error.message);
    expect(shown).toContain(refused.body.error.details[0].message);
    expect(shown).toContain('(VALIDATION_ERROR)');

    // A token the edge no longer accepts: back to the form, saying why.
    await page.evaluate(() => sessionStorage.setItem('ecicomm.dashboard.idToken', 'not-a-token'));
    await page.reload();
    await page.locator('body[data-state="expired"]').waitFor();
    expect(await page.locator('#sign-in-error').textContent()).toContain('Your session has expired');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    expect(problems.pageErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(problems.errorResponses.filter((r) => !/^(400|401) GET \/v1\/analytics\//.test(r))).toEqual([]);
    expect(problems.console.filter((m) => !m.includes('Failed to load resource'))).toEqual([]);
    await page.context().close();
  });
  // Last: it replays history into the platform the tests above expect without it.
  it('tells the truth about replayed history beside a live order: all data, no clickstream, insights by date, no postage in the top products', async () => {
    const adminToken = await signIn(platform.admin.email, platform.admin.password);
    const today = new Date().toISOString().slice(0, 10);
    const summaryOf = (startDate: string, endDate: string) =>
      ok(`/v1/analytics/dashboard/summary?startDate=${startDate}&endDate=${endDate}`, { token: adminToken });
    const before = await summaryOf(today, today);

    // A live order today.
    const lamp = await ok('/v1/products', {
      method: 'POST',
      token: adminToken,
      expect: 201,
      body: {
        name: `History Lamp ${randomUUID().slice(0, 6)}`,
        category: 'lighting',
        price: 1999,
        initialStock: 50,
        description: 'made by the dashboard test',
        brand: 'Test',
        currency: 'GBP',
      },
    });
    const email = `history-shopper-${randomUUID()}@example.com`;
    const password = `Pw!${randomUUID().slice(0, 8)}a9Z`;
    await ok('/v1/users', {
      method: 'POST',
      expect: 201,
      body: { email, password, firstName: 'Hal', lastName: 'Shopper' },
    });
    const shopperToken = await signIn(email, password);
    const placed = await ok('/v1/orders', {
      method: 'POST',
      token: shopperToken,
      expect: 202,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        shippingAddress: {
          name: 'Hal Shopper',
          line1: '1 High Street',
          city: 'York',
          postalCode: 'YO1 7HH',
          country: 'GB',
        },
        paymentToken: 'tok_visa',
        items: [{ productId: lamp.id, quantity: 1 }],
      },
    });
    let order = placed;
    for (let i = 0; i < 150 && order.status === 'PENDING'; i++) {
      await sleep(100);
      order = await ok(`/v1/orders/${placed.orderId}`, { token: shopperToken });
    }
    expect(order.status).toBe('CONFIRMED');

    // And the made-up month of history (June 2009, a POSTAGE line among its goods), replayed as npm run replay:history does.
    const replayed = await replayHistory({
      env: platform.env,
      datasetDir: writeHistoryFixture(path.join(dataDir, 'history-fixture')),
      range: FIXTURE_RANGE,
    });
    expect(replayed.nonMerchandisePence).toBe(1800);
    let history = await summaryOf(FIXTURE_RANGE.from, FIXTURE_RANGE.to);
    let live = await summaryOf(today, today);
    // Until the orders and the purchase events are in (each replayed sale's events are a session of their own).
    const loaded = () =>
      history.orders >= replayed.orders &&
      history.revenue === replayed.revenuePence &&
      history.sessions >= replayed.orders &&
      live.orders >= before.orders + 1;
    for (let i = 0; i < 240 && !loaded(); i++) {
      await sleep(500);
      [history, live] = [await summaryOf(FIXTURE_RANGE.from, FIXTURE_RANGE.to), await summaryOf(today, today)];
    }
    expect([history.orders, history.revenue, history.sessions, live.orders]).toEqual([
      replayed.orders,
      replayed.revenuePence,
      replayed.orders,
      before.orders + 1,
    ]);
    // No clickstream in replayed history: sessions of purchase events are no funnel, and there is no rate.
    expect(history).toMatchObject({
      clickstream: 'none',
      funnelConversionRate: null,
      // The contract's conversionRate keeps its v1 meaning: every replayed invoice is a session that bought.
      conversionRate: 1,
      funnelPurchases: 0,
      browsingSessions: 0,
    });

    const { page, problems } = await openPage();
    await signInOnPage(page, platform.admin.email, platform.admin.password);
    await page.locator('body[data-state="ready"]').waitFor();
    const range = async () => [
      await page.getByLabel('From', { exact: true }).inputValue(),
      await page.getByLabel('To', { exact: true }).inputValue(),
    ];
    const listedInsights = () =>
      page
        .locator('#insights li')
        .evaluateAll((lis: any[]) =>
          lis.map((li) => [li.dataset.kind ?? null, li.querySelector('.message')?.textContent ?? li.textContent]),
        );
    const findingsOf = (insights: any) => {
      const items = insights.items.filter((i: any) => i.kind !== 'no_results');
      return items.length ? items.map((i: any) => [i.kind, i.message]) : [[null, 'Nothing needs attention.']];
    };

    // "All data": from the replayed June 2009 to today's order, 17 years, drawn by month.
    await page.getByRole('button', { name: 'All data', exact: true }).click();
    await page.locator('body[data-state="ready"]').waitFor();
    expect(await range()).toEqual([FIXTURE_RANGE.from, today]);
    const all = await summaryOf(FIXTURE_RANGE.from, today);
    const byMonth = await ok(
      `/v1/analytics/reports/sales?startDate=${FIXTURE_RANGE.from}&endDate=${today}&dimension=month`,
      { token: adminToken },
    );
    expect(await page.locator('#chart-daily-title').textContent()).toBe('Revenue and orders by month');
    expect((await chartOf(page, 'chart-daily'))?.series[0].data).toEqual(
      byMonth.rows.map((r: any) => [r.key, r.revenue]),
    );
    expect(byMonth.rows[0]).toMatchObject({ key: '2009-06', revenue: replayed.revenuePence });
    expect(byMonth.rows.at(-1).key).toBe(today.slice(0, 7));
    expect(await page.getByRole('status', { name: 'Orders', exact: true }).textContent()).toBe(
      all.orders.toLocaleString('en-GB'),
    );

    // The top products are goods: the replayed POSTAGE line (£18.00, more than most lines that month) is not among
    // them; it is in the revenue and in the postage and fees figure.
    const top = await chartOf(page, 'chart-top-products');
    const shown = top?.series[0].data.map((d: any) => d.productId);
    expect(shown).toEqual([...all.topProducts].reverse().map((p: any) => p.productId));
    expect(shown).not.toContain('POST');
    expect(shown).toContain('85123A');
    expect(all.nonMerchandise.revenue).toBe(1800);
    expect(await page.getByRole('status', { name: 'Postage, fees and adjustments', exact: true }).textContent()).toBe(
      pounds(1800),
    );
    const categories = await chartOf(page, 'chart-category');
    expect(categories?.series[0].data.reduce((sum: number, d: any) => sum + d.value, 0)).toBe(all.revenue - 1800);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-all-data.png'), fullPage: true });

    // The replayed days alone: no clickstream, said so on the tile and on the funnel, which draws nothing.
    await page.getByLabel('From', { exact: true }).fill(FIXTURE_RANGE.from);
    await page.getByLabel('To', { exact: true }).fill(FIXTURE_RANGE.to);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('body[data-state="ready"]').waitFor();
    expect(await page.getByRole('status', { name: 'Conversion rate', exact: true }).textContent()).toBe(
      'no clickstream',
    );
    expect(await page.locator('#funnel-note').textContent()).toContain('No clickstream in this range');
    expect((await chartOf(page, 'chart-funnel'))?.series[0].data).toEqual([]);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-history.png'), fullPage: true });

    // Insights follow the dates: June 2009's are its own (no stock is known then), not today's.
    const historyInsights = await ok(
      `/v1/analytics/insights?startDate=${FIXTURE_RANGE.from}&endDate=${FIXTURE_RANGE.to}`,
      { token: adminToken },
    );
    expect(historyInsights.asOf).toBe(FIXTURE_RANGE.to);
    expect(await listedInsights()).toEqual(findingsOf(historyInsights));
    expect(historyInsights.items.some((i: any) => i.kind === 'out_of_stock' || i.kind === 'low_stock')).toBe(false);
    expect(await page.locator('#insights-note').textContent()).toContain(FIXTURE_RANGE.to);

    // And the last 30 days' are today's: the live stock findings the first test made are back.
    await page.getByRole('button', { name: 'Last 30 days', exact: true }).click();
    await page.locator('body[data-state="ready"]').waitFor();
    const monthAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const recentInsights = await ok(`/v1/analytics/insights?startDate=${monthAgo}&endDate=${today}`, {
      token: adminToken,
    });
    expect(recentInsights.asOf).toBe(today);
    expect(await listedInsights()).toEqual(findingsOf(recentInsights));
    expect(await page.locator('#insights-note').textContent()).toContain(today);
    expect(await page.locator('#chart-daily-title').textContent()).toBe('Revenue and orders by day');

    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [], errorResponses: [] });
    await page.context().close();
  });
});
