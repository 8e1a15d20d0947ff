/**
 * The local S3 (lib/local/s3): s3rver with the platform's buckets, reached by the same SDK client the handlers
 * use (functions/shared/clients.ts settings), object events delivered to subscribers by bucket, prefix and kind
 * as bucket notifications are, a presigned PUT that works from plain HTTP as a browser or curl sends it, the
 * CORS rule for the allowed origins, and objects that outlive a restart when persisted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Event } from 'aws-lambda';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startLocalS3, type LocalS3 } from '@ecicomm/local-platform/s3/server';
import { eventually } from '../support/eventually';

const credentials = { accessKeyId: 'local-test', secretAccessKey: 'a-secret-of-this-run' };
const origins = ['http://localhost:*'];
let dataDir: string;
let port: number;
let s3: LocalS3;
let client: S3Client;

const start = () => startLocalS3({ port, prefix: 's3test', credentials, dataDir, corsAllowedOrigins: origins });
const connect = (endpoint: string) =>
  new S3Client({
    region: 'eu-west-2',
    endpoint,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 's3-emulator-'));
  port = await freePort();
  s3 = await start();
  client = connect(s3.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local S3 emulator', () => {
  it('creates every bucket of lib/buckets.ts under the prefix and names them in the handlers environment', () => {
    expect(s3.bucketNames).toEqual({
      images: 's3test-images',
      audit: 's3test-audit',
      orderArchive: 's3test-order-archive',
    });
    expect(s3.env).toMatchObject({ AWS_ENDPOINT_URL_S3: s3.endpoint, IMAGES_BUCKET: 's3test-images' });
  });

  it('delivers object events only to the subscribers whose bucket, prefix and kind match', async () => {
    const seen: string[] = [];
    const record = (tag: string) => async (event: S3Event) => {
      seen.push(`${tag}:${event.Records[0].eventName}:${event.Records[0].s3.object.key}`);
    };
    const unsubscribe = [
      s3.events.subscribe({
        bucket: 's3test-images',
        prefix: 'uploads/',
        events: ['ObjectCreated'],
        deliver: record('up'),
      }),
      s3.events.subscribe({ bucket: 's3test-audit', events: ['ObjectCreated'], deliver: record('audit') }),
    ];
    await client.send(new PutObjectCommand({ Bucket: 's3test-images', Key: 'uploads/p1/a.jpg', Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: 's3test-images', Key: 'products/p1/b.webp', Body: 'y' }));
    await eventually(() => expect(seen).toEqual(['up:ObjectCreated:Put:uploads/p1/a.jpg']), { timeout: 5000 });
    unsubscribe.forEach((stop) => stop());
  });

  it('accepts a presigned PUT sent as plain HTTP with the signed content type', async () => {
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 's3test-images', Key: 'uploads/p2/c.png', ContentType: 'image/png' }),
      { expiresIn: 300, signableHeaders: new Set(['content-type']) },
    );
    const res = await fetch(url, { method: 'PUT', body: 'png-bytes', headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(200);
    const got = await client.send(new GetObjectCommand({ Bucket: 's3test-images', Key: 'uploads/p2/c.png' }));
    expect(await got.Body!.transformToString()).toBe('png-bytes');
  });

  it('answers a browser preflight for an allowed origin and not for another', async () => {
    const preflight = (origin: string) =>
      fetch(`${s3.endpoint}/s3test-images/uploads/p3/d.jpg`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
    // s3rver answers a matched preflight with `*` where S3 echoes the origin: a browser accepts either for an
    // uncredentialed PUT. An origin no rule allows gets a 403 and no allow header, as from S3.
    const allowed = await preflight('http://localhost:5173');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT');
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the objects across a restart on the same data directory', async () => {
    await client.send(new PutObjectCommand({ Bucket: 's3test-order-archive', Key: 'kept.json', Body: '{"a":1}' }));
    client.destroy();
    await s3.stop();
    s3 = await start();
    client = connect(s3.endpoint);
    const got = await client.send(new GetObjectCommand({ Bucket: 's3test-order-archive', Key: 'kept.json' }));
    expect(await got.Body!.transformToString()).toBe('{"a":1}');
  });
});
