/**
 * Product images end to end on the local platform: the admin asks for an upload, PUTs the file to the printed
 * presigned URL with plain fetch (as a browser or curl would), the real S3 emulator's object event runs the
 * image function, and GET shows READY with WebP variants — or REJECTED with the reason and the product unchanged.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { adminSession, api, newShopper, platform } from '../support/api';
import { eventually } from '../support/eventually';
import { decompressionBombPng, noisePngOver5MB, photoGif, photoJpeg, photoPng, truncatedJpeg } from '../support/images';

let s3: S3Client | undefined;
const bucketClient = () => {
  const env = platform().env;
  s3 ??= new S3Client({
    region: platform().region,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    forcePathStyle: true,
  });
  return s3;
};
const bucket = () => platform().env.IMAGES_BUCKET;
const exists = (Key: string) =>
  bucketClient()
    .send(new HeadObjectCommand({ Bucket: bucket(), Key }))
    .then(
      () => true,
      (e: { name?: string }) => {
        if (e.name === 'NotFound') return false;
        throw e;
      },
    );

afterAll(() => s3?.destroy());

async function newProduct(token: string) {
  const created = await api('/v1/products', {
    method: 'POST',
    token,
    body: {
      name: 'Framed Print',
      description: 'A print to photograph.',
      category: 'home-decor',
      brand: 'Gallery',
      price: 4500,
      currency: 'GBP',
    },
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number; imageUrls: string[] };
}

async function upload(productId: string, token: string, file: Buffer, declared = 'image/jpeg', sent = declared) {
  const ticket = await api(`/v1/products/${productId}/images`, {
    method: 'POST',
    token,
    body: { contentType: declared },
  });
  expect(ticket.status).toBe(201);
  const { uploadUrl, imageKey } = ticket.body as { uploadUrl: string; imageKey: string };
  const put = await fetch(uploadUrl, { method: 'PUT', body: file, headers: { 'content-type': sent } });
  return { imageKey, put };
}

const settled = (productId: string, imageKey: string, token: string) =>
  eventually(
    async () => {
      const res = await api(`/v1/products/${productId}/images/${imageKey}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.status).not.toBe('PROCESSING');
      return res.body as { imageKey: string; status: string; reason?: string; urls?: string[] };
    },
    { timeout: 30_000, interval: 100 },
  );

async function expectRejected(file: Buffer, reason: RegExp, declared = 'image/jpeg') {
  const token = await adminSession();
  const product = await newProduct(token);
  const { imageKey, put } = await upload(product.id, token, file, declared);
  expect(put.status).toBe(200);
  const status = await settled(product.id, imageKey, token);
  expect(status).toMatchObject({ imageKey, status: 'REJECTED' });
  expect(status.reason).toMatch(reason);
  expect(status.urls).toBeUndefined();
  // The product is unchanged; the original is in quarantine, not among the uploads or the variants.
  expect((await api(`/v1/products/${product.id}`)).body).toEqual(product);
  expect(await exists(`quarantine/${product.id}/${imageKey}`)).toBe(true);
  expect(await exists(`uploads/${product.id}/${imageKey}`)).toBe(false);
  expect(await exists(`products/${product.id}/images/${imageKey}/800.webp`)).toBe(false);
}

describe('product images', () => {
  it('turns an uploaded JPEG into 800/400/200 px WebP variants without its metadata, listed in imageUrls', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const ticket = await api(`/v1/products/${product.id}/images`, {
      method: 'POST',
      token,
      body: { contentType: 'image/jpeg' },
    });
    expect(ticket.status).toBe(201);
    expect(ticket.body.uploadUrl).toMatch(/X-Amz-SignedHeaders=content-type%3Bhost/);
    expect(ticket.body.uploadUrl).toMatch(/X-Amz-Expires=300&/);
    const processing = await api(`/v1/products/${product.id}/images/${ticket.body.imageKey}`, { token });
    expect(processing.body).toEqual({ imageKey: ticket.body.imageKey, status: 'PROCESSING' });

    const original = await photoJpeg(1200, 1200);
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const put = await fetch(ticket.body.uploadUrl, {
      method: 'PUT',
      body: original,
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(put.status).toBe(200);

    const status = await settled(product.id, ticket.body.imageKey, token);
    expect(status.status).toBe('READY');
    expect(status.urls).toHaveLength(3);
    const after = (await api(`/v1/products/${product.id}`)).body;
    expect(after.imageUrls).toEqual(status.urls);
    expect(after.version).toBe(product.version + 1);
    const widths: number[] = [];
    for (const url of status.urls!) {
      expect(url.startsWith(`${platform().env.IMAGES_BASE_URL}/${product.id}/images/`)).toBe(true);
      // Anonymous, as a browser loads it.
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      expect(res.headers.get('cache-control')).toContain('immutable');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(meta.format).toBe('webp');
      expect(meta.exif).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      widths.push(meta.width);
    }
    expect(widths.sort((a, b) => b - a)).toEqual([800, 400, 200]);
    // The original is not kept among the uploads once its variants exist.
    expect(await exists(`uploads/${product.id}/${ticket.body.imageKey}`)).toBe(false);
  });

  it('goes by the bytes, not the declared type: PNG bytes declared as JPEG become variants', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const { imageKey, put } = await upload(product.id, token, await photoPng(1000, 1000), 'image/jpeg');
    expect(put.status).toBe(200);
    expect((await settled(product.id, imageKey, token)).status).toBe('READY');
  });

  it('refuses a PUT whose content type is not the one the URL was signed for, storing nothing', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const { imageKey, put } = await upload(product.id, token, await photoPng(), 'image/jpeg', 'image/png');
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(await exists(`uploads/${product.id}/${imageKey}`)).toBe(false);
    const status = await api(`/v1/products/${product.id}/images/${imageKey}`, { token });
    expect(status.body.status).toBe('PROCESSING');
  });

  it('rejects an image under 800×800 px', async () =>
    expectRejected(await photoJpeg(640, 480), /640×480 px; both sides must be at least 800/));

  it('rejects a file that is not an image', () =>
    expectRejected(Buffer.from('just some text, certainly not a JPEG'), /not an image/));

  it('rejects an image format it does not take (GIF), whatever was declared', async () =>
    expectRejected(await photoGif(), /The file is gif; only JPEG, PNG and WebP/));

  it('rejects a decompression bomb without decoding it', () =>
    expectRejected(decompressionBombPng(), /10000×10000 px, over the 40-megapixel limit/, 'image/png'));

  it('rejects a corrupt (truncated) JPEG', async () => expectRejected(await truncatedJpeg(), /corrupt/));

  it('rejects a file over 5 MB', async () => {
    const big = await noisePngOver5MB();
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    await expectRejected(big, /The file is 5\.\d MB; the limit is 5 MB/, 'image/png');
  });

  it('keeps every image when several uploads to one product land at once', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const files = await Promise.all([0, 1, 2, 3].map((i) => photoJpeg(900 + i * 50, 900, i * 80)));
    const uploads = await Promise.all(files.map((file) => upload(product.id, token, file)));
    expect(uploads.map((u) => u.put.status)).toEqual([200, 200, 200, 200]);
    const statuses = await Promise.all(uploads.map((u) => settled(product.id, u.imageKey, token)));
    expect(statuses.map((s) => s.status)).toEqual(['READY', 'READY', 'READY', 'READY']);
    const after = (await api(`/v1/products/${product.id}`)).body;
    expect(new Set(after.imageUrls)).toEqual(new Set(statuses.flatMap((s) => s.urls)));
    expect(after.imageUrls).toHaveLength(12);
    expect(after.version).toBe(product.version + 4);
  });

  it('removes an image: its URLs leave the product and its objects are deleted', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const first = await upload(product.id, token, await photoJpeg(1000, 1000, 10));
    const second = await upload(product.id, token, await photoJpeg(1000, 1000, 250));
    const [kept] = await Promise.all([
      settled(product.id, first.imageKey, token),
      settled(product.id, second.imageKey, token),
    ]);
    const removed = await api(`/v1/products/${product.id}/images/${second.imageKey}`, { method: 'DELETE', token });
    expect(removed.status).toBe(200);
    expect(removed.body.imageUrls).toEqual(kept.urls);
    expect(removed.body.version).toBe(product.version + 3);
    expect((await api(`/v1/products/${product.id}`)).body).toEqual(removed.body);
    for (const width of [800, 400, 200])
      expect(await exists(`products/${product.id}/images/${second.imageKey}/${width}.webp`)).toBe(false);
    expect(await exists(`products/${product.id}/images/${first.imageKey}/800.webp`)).toBe(true);
    const gone = await api(`/v1/products/${product.id}/images/${second.imageKey}`, { token });
    expect(gone.status).toBe(404);
    const again = await api(`/v1/products/${product.id}/images/${second.imageKey}`, { method: 'DELETE', token });
    expect(again.status).toBe(404);
  });

  it('removes a rejected image and its quarantined original', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const { imageKey } = await upload(product.id, token, Buffer.from('not an image'));
    expect((await settled(product.id, imageKey, token)).status).toBe('REJECTED');
    const removed = await api(`/v1/products/${product.id}/images/${imageKey}`, { method: 'DELETE', token });
    expect(removed.status).toBe(200);
    expect(removed.body.version).toBe(product.version);
    expect(await exists(`quarantine/${product.id}/${imageKey}`)).toBe(false);
  });

  it('refuses to remove an image still waiting for its upload', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const ticket = await api(`/v1/products/${product.id}/images`, {
      method: 'POST',
      token,
      body: { contentType: 'image/png' },
    });
    const res = await api(`/v1/products/${product.id}/images/${ticket.body.imageKey}`, { method: 'DELETE', token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('answers bad input with 4xx and changes nothing', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const post = (id: string, body: unknown) => api(`/v1/products/${id}/images`, { method: 'POST', token, body });
    expect((await post('p-does-not-exist', { contentType: 'image/jpeg' })).status).toBe(404);
    for (const body of [
      { contentType: 'image/gif' },
      { contentType: 'text/html' },
      {},
      { contentType: 'image/jpeg', extra: 1 },
    ]) {
      const res = await post(product.id, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await api(`/v1/products/${product.id}/images/i-unknown`, { token })).status).toBe(404);
    expect((await api(`/v1/products/${product.id}/images/i-unknown`, { method: 'DELETE', token })).status).toBe(404);
    expect((await api(`/v1/products/p-nope/images/i-unknown`, { method: 'DELETE', token })).status).toBe(404);
    expect((await api(`/v1/products/${product.id}/images/bad%20key`, { token })).status).toBe(400);
    expect((await api(`/v1/products/${product.id}`)).body).toEqual(product);
  });

  it('lets only admins ask for uploads, read statuses and remove images', async () => {
    const token = await adminSession();
    const product = await newProduct(token);
    const shopper = await newShopper();
    const routes = [
      { path: `/v1/products/${product.id}/images`, method: 'POST', body: { contentType: 'image/jpeg' } },
      { path: `/v1/products/${product.id}/images/i1`, method: 'GET' },
      { path: `/v1/products/${product.id}/images/i1`, method: 'DELETE' },
    ];
    for (const route of routes) {
      expect((await api(route.path, { method: route.method, body: route.body })).status).toBe(401);
      expect((await api(route.path, { method: route.method, body: route.body, token: shopper.token })).status).toBe(
        403,
      );
    }
  });
});
