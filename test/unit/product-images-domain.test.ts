import { describe, expect, it } from '@jest/globals';
import { VersionConflictError, type ProductRepository } from '../../functions/catalog/ports';
import type { Product } from '../../functions/catalog/schemas';
import { sharpCodec } from '../../functions/catalog/images/adapters/sharp-codec';
import { imageStatus, processUpload, removeImage, requestUpload } from '../../functions/catalog/images/domain/images';
import { changeProduct, withImageUrls } from '../../functions/catalog/images/domain/product-images';
import { parseUploadKey, refusalOf } from '../../functions/catalog/images/domain/rules';
import {
  CorruptImageError,
  ImageTooLargeToDecodeError,
  NotAnImageError,
  type ImageObjects,
  type ImageRecord,
  type ImageRecords,
} from '../../functions/catalog/images/ports';
import { DomainError } from '../../functions/shared/errors';
import { decompressionBombPng, photoJpeg, truncatedJpeg } from '../support/images';

/** In-memory stores with the adapters' contracts (the DynamoDB and S3 ones are exercised in test/integration). */
class MemoryProducts implements ProductRepository {
  readonly items = new Map<string, Product>();
  /** Another writer's change, applied just before the next `n` replaces: each of those then conflicts. */
  interference = 0;
  async create(p: Product) {
    this.items.set(p.id, p);
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async replace(p: Product, expected: number) {
    if (this.interference > 0) {
      this.interference--;
      const current = this.items.get(p.id)!;
      this.items.set(p.id, { ...current, price: current.price + 1, version: current.version + 1 });
    }
    if (this.items.get(p.id)?.version !== expected) throw new VersionConflictError(p.id);
    this.items.set(p.id, p);
  }
  async listActive() {
    return { items: [...this.items.values()] };
  }
}

class MemoryRecords implements ImageRecords {
  readonly items = new Map<string, ImageRecord>();
  async create(r: ImageRecord) {
    this.items.set(`${r.productId}/${r.imageId}`, r);
  }
  async get(productId: string, imageId: string) {
    return this.items.get(`${productId}/${imageId}`);
  }
  async settle(r: ImageRecord) {
    if (this.items.get(`${r.productId}/${r.imageId}`)?.status !== 'PROCESSING') return false;
    this.items.set(`${r.productId}/${r.imageId}`, r);
    return true;
  }
  async delete(productId: string, imageId: string) {
    this.items.delete(`${productId}/${imageId}`);
  }
}

class MemoryObjects implements ImageObjects {
  readonly items = new Map<string, Uint8Array>();
  async presignUpload(key: string, contentType: string, expires: number) {
    return `https://bucket.example/${key}?type=${contentType}&expires=${expires}`;
  }
  async sizeOf(key: string) {
    return this.items.get(key)?.length;
  }
  async read(key: string) {
    return this.items.get(key);
  }
  async putVariant(key: string, bytes: Uint8Array) {
    this.items.set(key, bytes);
  }
  async move(from: string, to: string) {
    const bytes = this.items.get(from);
    if (!bytes) return;
    this.items.set(to, bytes);
    this.items.delete(from);
  }
  async deleteKeys(keys: string[]) {
    for (const key of keys) this.items.delete(key);
  }
  async list(prefix: string) {
    return [...this.items.keys()].filter((k) => k.startsWith(prefix));
  }
}

const product = (id = 'p1'): Product => ({
  id,
  sku: `SKU-${id}`,
  name: 'Lamp',
  description: '',
  category: 'lighting',
  brand: 'B',
  price: 1000,
  currency: 'GBP',
  imageUrls: [],
  attributes: {},
  popularity: 0,
  status: 'ACTIVE',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

function world(now = new Date('2026-02-01T10:00:00Z')) {
  const products = new MemoryProducts();
  products.items.set('p1', product());
  let n = 0;
  const clock = { now: () => now };
  return {
    products,
    records: new MemoryRecords(),
    objects: new MemoryObjects(),
    clock,
    newId: () => `i${++n}`,
    publicBaseUrl: 'https://cdn.example/',
    codec: sharpCodec,
    setNow: (d: Date) => (now = d),
  };
}

async function uploaded(w: ReturnType<typeof world>, bytes: Uint8Array) {
  const ticket = await requestUpload('p1', { contentType: 'image/jpeg' }, w);
  w.objects.items.set(`uploads/p1/${ticket.imageKey}`, bytes);
  return ticket.imageKey;
}

describe('image rules', () => {
  it('refuses by the facts: format, pixel count, then size', () => {
    expect(refusalOf({ format: 'jpeg', width: 800, height: 800 })).toBeUndefined();
    expect(refusalOf({ format: 'svg', width: 2000, height: 2000 })).toMatch(/svg; only JPEG, PNG and WebP/);
    expect(refusalOf({ format: 'png', width: 20_000, height: 20_000 })).toMatch(/megapixel limit/);
    expect(refusalOf({ format: 'webp', width: 1200, height: 799 })).toMatch(/1200×799/);
  });

  it('knows only the upload keys it hands out', () => {
    expect(parseUploadKey('uploads/p1/i2')).toEqual({ productId: 'p1', imageId: 'i2' });
    for (const key of ['uploads/p1/i2/x', 'uploads/../p1/i2', 'products/p1/i2', 'uploads/p1/', 'uploads/p1/.i'])
      expect(parseUploadKey(key)).toBeUndefined();
  });
});

describe('changing a product for its images', () => {
  it('retries a conflicting write on the fresh product, bumping the version once per landed write', async () => {
    const w = world();
    w.products.interference = 3;
    const changed = await changeProduct('p1', withImageUrls(['https://cdn.example/a']), w);
    // Three other writes landed first (price +3, version +3), then ours (+1), with both changes kept.
    expect(changed).toMatchObject({ price: 1003, version: 5, imageUrls: ['https://cdn.example/a'] });
    expect(w.products.items.get('p1')).toEqual(changed);
  });

  it('writes nothing when the URLs are already listed (a redelivered event)', async () => {
    const w = world();
    w.products.items.set('p1', { ...product(), imageUrls: ['https://cdn.example/a'], version: 4 });
    expect(await changeProduct('p1', withImageUrls(['https://cdn.example/a']), w)).toMatchObject({ version: 4 });
  });
});

describe('processing an upload', () => {
  it('writes three WebP variants, lists them once, and ignores the same event delivered again', async () => {
    const w = world();
    const imageId = await uploaded(w, await photoJpeg(1000, 1000));
    const first = await processUpload(`uploads/p1/${imageId}`, w);
    expect(first).toEqual({
      outcome: 'READY',
      urls: [800, 400, 200].map((width) => `https://cdn.example/p1/images/${imageId}/${width}.webp`),
    });
    expect(await w.objects.list(`products/p1/images/${imageId}/`)).toHaveLength(3);
    expect(w.objects.items.has(`uploads/p1/${imageId}`)).toBe(false);
    // The same URL PUT again before it expired: the stray original is dropped, the product left as it is.
    w.objects.items.set(`uploads/p1/${imageId}`, new Uint8Array([1, 2, 3]));
    expect(await processUpload(`uploads/p1/${imageId}`, w)).toEqual({ outcome: 'IGNORED', why: 'already READY' });
    expect(w.objects.items.has(`uploads/p1/${imageId}`)).toBe(false);
    expect(w.products.items.get('p1')).toMatchObject({
      version: 2,
      imageUrls: first.outcome === 'READY' ? first.urls : [],
    });
  });

  it('quarantines a rejected upload with its reason and leaves the product as it was', async () => {
    const w = world();
    const imageId = await uploaded(w, await truncatedJpeg());
    const outcome = await processUpload(`uploads/p1/${imageId}`, w);
    expect(outcome).toMatchObject({ outcome: 'REJECTED', reason: expect.stringMatching(/corrupt/) });
    expect(w.objects.items.has(`quarantine/p1/${imageId}`)).toBe(true);
    expect(await w.objects.list('products/')).toEqual([]);
    expect(w.products.items.get('p1')).toEqual(product());
    expect(await imageStatus('p1', imageId, w)).toEqual({
      imageKey: imageId,
      status: 'REJECTED',
      reason: outcome.outcome === 'REJECTED' ? outcome.reason : '',
    });
  });

  it('ignores keys it never handed out', async () => {
    const w = world();
    w.objects.items.set('uploads/p1/i-unrequested', new Uint8Array([1]));
    expect(await processUpload('uploads/p1/i-unrequested', w)).toMatchObject({ outcome: 'IGNORED' });
    expect(w.objects.items.has('uploads/p1/i-unrequested')).toBe(false);
    expect(await processUpload('uploads/p1/a/b', w)).toMatchObject({ outcome: 'IGNORED' });
  });
});

describe('removing an image', () => {
  it('refuses while the upload URL is still good, and lets an expired, unused one go', async () => {
    const w = world();
    const { imageKey } = await requestUpload('p1', { contentType: 'image/png' }, w);
    await expect(removeImage('p1', imageKey, w)).rejects.toMatchObject({ code: 'CONFLICT' });
    w.setNow(new Date('2026-02-01T10:06:00Z'));
    await expect(removeImage('p1', imageKey, w)).resolves.toEqual(product());
    await expect(imageStatus('p1', imageKey, w)).rejects.toBeInstanceOf(DomainError);
  });
});

describe('the sharp codec', () => {
  it('reads a bomb header without decoding it, and refuses to decode it', async () => {
    const bomb = decompressionBombPng(8_000);
    expect(await sharpCodec.inspect(bomb)).toEqual({ format: 'png', width: 8000, height: 8000 });
    await expect(sharpCodec.render(bomb, [200])).rejects.toBeInstanceOf(ImageTooLargeToDecodeError);
  });

  it('tells bytes that are no image from an image that does not decode', async () => {
    await expect(sharpCodec.inspect(new TextEncoder().encode('hello'))).rejects.toBeInstanceOf(NotAnImageError);
    await expect(sharpCodec.render(await truncatedJpeg(), [200])).rejects.toBeInstanceOf(CorruptImageError);
  });
});
