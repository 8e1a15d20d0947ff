/**
 * The partner API (issue 15, rate limits by client): GET /v1/partner/products requires one of the partners' API keys
 * in x-api-key, as API Gateway requires a usage plan's key on a method with apiKeyRequired. Without one, or with a
 * key that is no partner's, the edge answers 403 FORBIDDEN in the contract's shape before any function runs; with
 * the platform's key, partners page through the active catalog, cut down to what a marketplace lists.
 */
import { describe, expect, it } from '@jest/globals';
import { adminSession, api, platform } from '../support/api';

const FEED = '/v1/partner/products';
const key = () => platform().partnerKeys[0].key;
const feed = (query = '', headers: Record<string, string> = { 'x-api-key': key() }) =>
  api(`${FEED}${query}`, { headers });

/** Every page of a listing, following nextCursor; fails on anything but 200. */
async function allPages(path: string, limit: number, headers: Record<string, string> = {}) {
  const pages: { items: any[]; nextCursor?: string }[] = [];
  let cursor: string | undefined;
  do {
    const res = await api(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    expect([res.status, res.body]).toEqual([200, expect.anything()]);
    pages.push(res.body);
    cursor = res.body.nextCursor;
    expect(pages.length).toBeLessThan(1000);
  } while (cursor);
  return pages;
}

const expectForbidden = (res: { status: number; body: any }) => {
  expect(res.status).toBe(403);
  expect(res.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
};

describe('partner API', () => {
  it('refuses a request without an API key, or with a key that is no partner’s, with 403 FORBIDDEN', async () => {
    expectForbidden(await feed('', {}));
    expectForbidden(await feed('', { 'x-api-key': '' }));
    expectForbidden(await feed('', { 'x-api-key': `${key()}x` }));
    expectForbidden(await feed('', { 'x-api-key': 'not-a-partner-key-0123456789' }));
    // A shopper's or an admin's token is no key.
    expectForbidden(await feed('', { authorization: `Bearer ${await adminSession()}` }));
  });

  it("answers the partner's key with the feed: active products cut down to id, sku, name, price, currency, updatedAt", async () => {
    const token = await adminSession();
    const created = await api('/v1/products', {
      method: 'POST',
      token,
      body: {
        name: 'Partner Feed Lantern',
        description: 'Listed on a marketplace.',
        category: 'lighting',
        brand: 'Syndicate',
        price: 4599,
        currency: 'EUR',
      },
    });
    expect(created.status).toBe(201);

    const items = (await allPages(FEED, 500, { 'x-api-key': key() })).flatMap((p) => p.items);
    for (const item of items)
      expect(Object.keys(item).sort()).toEqual(['currency', 'id', 'name', 'price', 'sku', 'updatedAt']);
    const { id, sku, name, price, currency, updatedAt } = created.body;
    expect(items).toContainEqual({ id, sku, name, price, currency, updatedAt });
    // The same products the shoppers' listing shows: the catalog's own listing of active products.
    const shoppers = (await allPages('/v1/products', 100)).flatMap((p) => p.items.map((i: any) => i.id));
    expect(items.map((i) => i.id).sort()).toEqual(shoppers.sort());

    // A product taken off sale leaves the feed.
    const off = await api(`/v1/products/${id}`, { method: 'PUT', token, body: { version: 1, status: 'INACTIVE' } });
    expect(off.status).toBe(200);
    const after = (await allPages(FEED, 500, { 'x-api-key': key() })).flatMap((p) => p.items.map((i: any) => i.id));
    expect(after).not.toContain(id);
  });

  it('pages with the cursor: small pages add up to the whole feed, each product once, the last page without a cursor', async () => {
    const whole = (await allPages(FEED, 500, { 'x-api-key': key() })).flatMap((p) => p.items);
    expect(whole.length).toBeGreaterThan(5);
    const pages = await allPages(FEED, 3, { 'x-api-key': key() });
    expect(pages.length).toBe(Math.ceil(whole.length / 3));
    for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(3);
    expect(pages.at(-1)!.nextCursor).toBeUndefined();
    expect(pages.flatMap((p) => p.items)).toEqual(whole);
    // Pages larger than the shoppers' largest (100) are a partner's to ask for.
    const first = await feed('?limit=250');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(Math.min(250, whole.length));
  });

  it('refuses a bad limit, a bad or foreign cursor, or an unknown parameter with 400 naming it', async () => {
    const categoryPage = await api('/v1/products?limit=1&category=lighting');
    const foreignCursor = categoryPage.body.nextCursor as string | undefined;
    const cases: [string, string][] = [
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?limit=ten', 'limit'],
      ['?limit=-1', 'limit'],
      ['?cursor=not*a*cursor', 'cursor'],
      [`?cursor=${Buffer.from('{"id":"x"}').toString('base64url')}`, 'cursor'],
      [`?cursor=${'A'.repeat(3000)}`, 'cursor'],
      ['?category=lighting', 'category'],
      ...(foreignCursor ? ([[`?cursor=${foreignCursor}`, 'cursor']] as [string, string][]) : []),
    ];
    for (const [query, field] of cases) {
      const res = await feed(query);
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'VALIDATION_ERROR']);
      expect([query, JSON.stringify(res.body.error)]).toEqual([query, expect.stringContaining(field)]);
    }
  });
});
