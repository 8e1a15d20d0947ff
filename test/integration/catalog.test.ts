import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminSession, api } from '../support/api';

const newProduct = (overrides: Record<string, unknown> = {}) => ({
  name: 'Enamel Camping Mug',
  description: 'A speckled blue enamel mug.',
  category: 'kitchen-dining',
  brand: 'Trail Co',
  price: 1299,
  currency: 'GBP',
  attributes: { colour: 'blue', capacityMl: 350 },
  initialStock: 25,
  ...overrides,
});

describe('catalog', () => {
  it('creates a product with a generated SKU, its stock, and serves it back', async () => {
    const token = await adminSession();
    const created = await api('/v1/products', { method: 'POST', token, body: newProduct() });
    expect(created.status).toBe(201);
    const { initialStock: _stock, ...fields } = newProduct();
    expect(created.body).toMatchObject({ ...fields, status: 'ACTIVE', version: 1, imageUrls: [], popularity: 0 });
    expect(created.body.sku).toMatch(/^SKU-/);
    expect(created.headers.get('location')).toBe(`/v1/products/${created.body.id}`);

    const fetched = await api(`/v1/products/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    const stock = await api(`/v1/inventory/${created.body.id}`, { token });
    expect(stock.body).toEqual({ productId: created.body.id, available: 25, reserved: 0 });
  });

  it('refuses a duplicate SKU with 409 even when both creations race', async () => {
    const token = await adminSession();
    const sku = `RACE-${randomUUID().slice(0, 8)}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api('/v1/products', { method: 'POST', token, body: newProduct({ sku }) })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
  });

  it('updates with the current version, bumps it, and refuses a stale version with 409', async () => {
    const token = await adminSession();
    const { body: product } = await api('/v1/products', { method: 'POST', token, body: newProduct() });
    const updated = await api(`/v1/products/${product.id}`, {
      method: 'PUT',
      token,
      body: { version: 1, price: 1499, name: 'Enamel Mug' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      version: 2,
      price: 1499,
      name: 'Enamel Mug',
      sku: product.sku,
      createdAt: product.createdAt,
    });
    const stale = await api(`/v1/products/${product.id}`, { method: 'PUT', token, body: { version: 1, price: 999 } });
    expect(stale.status).toBe(409);
    expect((await api(`/v1/products/${product.id}`)).body.price).toBe(1499);
  });

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    const token = await adminSession();
    const { body: product } = await api('/v1/products', { method: 'POST', token, body: newProduct() });
    const [a, b] = await Promise.all([
      api(`/v1/products/${product.id}`, { method: 'PUT', token, body: { version: 1, price: 100 } }),
      api(`/v1/products/${product.id}`, { method: 'PUT', token, body: { version: 1, price: 200 } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
  });

  it('lists only active products, a page at a time, by category', async () => {
    const token = await adminSession();
    const category = 'clocks';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await api('/v1/products', {
        method: 'POST',
        token,
        body: newProduct({ category, name: `Wall Clock ${i}` }),
      });
      ids.push(body.id);
    }
    await api(`/v1/products/${ids[0]}`, { method: 'PUT', token, body: { version: 1, status: 'INACTIVE' } });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api(`/v1/products?category=${category}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const p of res.body.items) {
        expect(p).toMatchObject({ category, status: 'ACTIVE' });
        seen.push(p.id);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).not.toContain(ids[0]);
    expect(seen).toEqual(expect.arrayContaining(ids.slice(1)));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('serves the seeded catalog to anonymous shoppers', async () => {
    const res = await api('/v1/products?limit=5');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    for (const p of res.body.items) expect(Number.isInteger(p.price)).toBe(true);
  });

  it('answers an unknown product with 404', async () => {
    const res = await api('/v1/products/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('inventory', () => {
  it('sets available stock and keeps reserved as it is', async () => {
    const token = await adminSession();
    const { body: product } = await api('/v1/products', {
      method: 'POST',
      token,
      body: newProduct({ initialStock: 3 }),
    });
    const set = await api(`/v1/inventory/${product.id}`, { method: 'PUT', token, body: { available: 40 } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ productId: product.id, available: 40, reserved: 0 });
    expect((await api(`/v1/inventory/${product.id}`, { token })).body.available).toBe(40);
  });

  it('refuses negative stock and unknown products', async () => {
    const token = await adminSession();
    const negative = await api('/v1/inventory/whatever', { method: 'PUT', token, body: { available: -1 } });
    expect(negative.status).toBe(400);
    const unknown = await api('/v1/inventory/no-such-product', { method: 'PUT', token, body: { available: 1 } });
    expect(unknown.status).toBe(404);
  });
});
