/**
 * The local S3's front (lib/local/s3/front.ts): s3rver itself does not verify SigV4, so the front checks every
 * request as S3 would — presigned URLs from the real SDK presigner sent with plain fetch, and header-signed
 * SDK requests — and lets anonymous callers read only the public image variants.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startLocalS3, type LocalS3 } from '@ecicomm/local-platform/s3/server';

const credentials = { accessKeyId: 'local-sig', secretAccessKey: 'the-secret-of-this-run' };
const bucket = 'sigtest-images';
let s3: LocalS3;
let client: S3Client;

const connect = (endpoint: string, creds = credentials) =>
  new S3Client({
    region: 'eu-west-2',
    endpoint,
    credentials: creds,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

const presignedPut = (key: string, contentType: string, expiresIn = 300, signer = client) =>
  getSignedUrl(signer, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), {
    expiresIn,
    signableHeaders: new Set(['content-type']),
  });

const errorCode = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

beforeAll(async () => {
  s3 = await startLocalS3({
    port: await freePort(),
    prefix: 'sigtest',
    credentials,
    corsAllowedOrigins: ['http://localhost:*'],
  });
  client = connect(s3.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('the local S3 front', () => {
  it('accepts a presigned PUT with the signed content type, sent by plain fetch', async () => {
    const url = await presignedPut('uploads/p1/a', 'image/jpeg');
    const res = await fetch(url, { method: 'PUT', body: 'jpeg', headers: { 'content-type': 'image/jpeg' } });
    expect(res.status).toBe(200);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/p1/a' }));
    expect(await got.Body!.transformToString()).toBe('jpeg');
  });

  it("answers a browser's preflight for a presigned PUT by the bucket's CORS rule, as S3 does (never authenticated)", async () => {
    const url = await presignedPut('uploads/p1/cors', 'image/jpeg');
    const origin = 'http://localhost:40123';
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    const put = await fetch(url, { method: 'PUT', body: 'jpeg', headers: { origin, 'content-type': 'image/jpeg' } });
    expect([put.status, put.headers.get('access-control-allow-origin')]).toEqual([200, origin]);
    // An origin the rule does not name gets no CORS answer.
    const stranger = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a presigned PUT whose content type differs from the signed one, storing nothing', async () => {
    const url = await presignedPut('uploads/p1/b', 'image/jpeg');
    const res = await fetch(url, { method: 'PUT', body: 'png', headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('SignatureDoesNotMatch');
    await expect(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/p1/b' }))).rejects.toThrow();
  });

  it('refuses a presigned PUT without the signed content type header', async () => {
    const url = await presignedPut('uploads/p1/c', 'image/jpeg');
    const res = await fetch(url, { method: 'PUT', body: new Uint8Array([1, 2, 3]) });
    expect(res.status).toBe(403);
  });

  it('refuses a presigned URL whose key, expiry or signature was altered', async () => {
    const url = new URL(await presignedPut('uploads/p1/d', 'image/jpeg'));
    const put = (target: URL) => fetch(target, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/jpeg' } });
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace('/d', '/e');
    expect(await errorCode(await put(otherKey))).toBe('SignatureDoesNotMatch');
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '3600');
    expect(await errorCode(await put(longer))).toBe('SignatureDoesNotMatch');
    const forged = new URL(url);
    forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect(await errorCode(await put(forged))).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expired presigned URL', async () => {
    const url = await presignedPut('uploads/p1/f', 'image/jpeg', 1);
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/jpeg' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });

  it('refuses a presigned URL signed with another secret', async () => {
    const impostor = connect(s3.endpoint, { ...credentials, secretAccessKey: 'guessed' });
    const url = await presignedPut('uploads/p1/g', 'image/jpeg', 300, impostor);
    impostor.destroy();
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/jpeg' } });
    expect(await errorCode(res)).toBe('SignatureDoesNotMatch');
  });

  it('accepts header-signed SDK requests and refuses them signed with another secret', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/p1/images/i1/800.webp', Body: 'v' }));
    const impostor = connect(s3.endpoint, { ...credentials, secretAccessKey: 'guessed' });
    await expect(
      impostor.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/p1/x', Body: 'evil' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    impostor.destroy();
  });

  it('lets anonymous callers read the image variants and nothing else', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/p2/images/i2/400.webp', Body: 'pub' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'uploads/p2/i2', Body: 'private' }));
    const variant = await fetch(`${s3.endpoint}/${bucket}/products/p2/images/i2/400.webp`);
    expect(variant.status).toBe(200);
    expect(await variant.text()).toBe('pub');
    const upload = await fetch(`${s3.endpoint}/${bucket}/uploads/p2/i2`);
    expect(upload.status).toBe(403);
    expect(await errorCode(upload)).toBe('AccessDenied');
    const list = await fetch(`${s3.endpoint}/${bucket}?list-type=2`);
    expect(list.status).toBe(403);
    const anonymousPut = await fetch(`${s3.endpoint}/${bucket}/products/p2/images/i2/400.webp`, {
      method: 'PUT',
      body: 'defaced',
    });
    expect(anonymousPut.status).toBe(403);
    const escape = await fetch(`${s3.endpoint}/${bucket}/products/..%2Fuploads/p2/i2`);
    expect(escape.status).toBe(403);
  });

  it('never fails a PUT because a DELETE in the same directory emptied it at that moment', async () => {
    // s3rver removes a deleted key's empty directories; a PUT beside it that had just found them there failed (500).
    const key = (round: number, name: string) => `uploads/race/r${round % 20}/${name}`;
    const put = (k: string) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: Buffer.alloc(32 * 1024) }));
    const del = (k: string) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: k }));
    const failures: string[] = [];
    for (let round = 0; round < 150; round++) {
      // The directory holds one object; it is deleted while another is written beside it.
      await put(key(round, 'only'));
      const results = await Promise.allSettled([del(key(round, 'only')), put(key(round, 'beside'))]);
      for (const r of results) if (r.status === 'rejected') failures.push(`${round}: ${(r.reason as Error).name}`);
      await del(key(round, 'beside')).catch(() => undefined);
    }
    expect(failures).toEqual([]);
  });
});
