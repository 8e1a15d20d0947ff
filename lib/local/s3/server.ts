/**
 * S3 on the local substrate: s3rver (npm), a real S3 wire emulator, in this process. Its objects live under
 * LOCAL_DATA_DIR/s3 when persisting, in a temporary directory removed on stop otherwise. The platform's
 * buckets (lib/buckets.ts) are created as CDK would deploy them, each with a CORS rule for the allowed
 * browser origins (a storefront PUTs to a presigned URL straight from the page), and object events reach
 * subscribed functions through `events` (notifications.ts), as bucket notifications do in AWS.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { bucketList, physicalBucketName, type BucketKey, buckets } from '../../buckets';
import type { LocalCredentials } from '../guard/sigv4';
import { acceptCredentials } from './account';
import { s3FrontServer } from './front';
import { oneWriteAtATimePerBucket } from './write-lock';
import { objectEventBus, type ObjectEventBus } from './notifications';
import { acceptNewerStorageClasses } from './storage-classes';

/** The key prefix of the image variants, public through CloudFront in AWS and anonymously readable here. */
export const PUBLIC_IMAGE_PREFIX = 'products/';

export interface LocalS3 {
  endpoint: string;
  /** Physical bucket names by key. */
  bucketNames: Record<BucketKey, string>;
  /** AWS_ENDPOINT_URL_S3 and each bucket's variable, as the handlers read them. */
  env: Record<string, string>;
  /** Object events (ObjectCreated, ObjectRemoved), for the functions a bucket notifies. */
  events: ObjectEventBus;
  /** Where the objects are on disk (backup reads the buckets through the API, not here). */
  directory: string;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  port: number;
  prefix: string;
  credentials: LocalCredentials;
  /** Where to keep the objects; a temporary directory, removed on stop, when undefined. */
  dataDir?: string;
  /** Browser origins allowed to call the buckets (`http://localhost:*`), as the API's CORS allows. */
  corsAllowedOrigins: readonly string[];
  onEventError?: (error: unknown, key: string) => void;
}

/** The bucket CORS rule S3 takes as XML: what a page needs to PUT an upload and read the variants. */
function corsConfiguration(origins: readonly string[]): string {
  const allowed = origins.map((origin) => `<AllowedOrigin>${origin}</AllowedOrigin>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    allowed +
    '<AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedMethod>PUT</AllowedMethod>' +
    '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>' +
    '</CORSRule></CORSConfiguration>'
  );
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  acceptNewerStorageClasses();
  const directory = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'ecicomm-s3-'));
  mkdirSync(directory, { recursive: true });
  const bucketNames = Object.fromEntries(
    Object.entries(buckets).map(([key, spec]) => [key, physicalBucketName(options.prefix, spec)]),
  ) as Record<BucketKey, string>;
  const cors = Buffer.from(corsConfiguration(options.corsAllowedOrigins));
  const server = new S3rver({
    port: options.port,
    address: '127.0.0.1',
    directory,
    silent: true,
    // Path-style addressing (the SDK clients set forcePathStyle): 127.0.0.1 has no bucket subdomains.
    vhostBuckets: false,
    configureBuckets: bucketList.map((spec) => ({ name: physicalBucketName(options.prefix, spec), configs: [cors] })),
  });
  const events = objectEventBus((error, record) => options.onEventError?.(error, record.s3.object.key));
  // s3rver is a Koa application, an EventEmitter; its typings leave that out.
  (server as unknown as NodeJS.EventEmitter).on('event', (event: S3Event) => events.publish(event));
  const revoke = acceptCredentials(options.credentials);
  await server.configureBuckets();
  // s3rver stores; the front checks signatures first (s3rver does not) and lets anonymous callers read only the
  // image variants, which CloudFront serves publicly in AWS.
  const front = s3FrontServer(
    { credentials: options.credentials, publicReadPaths: [`/${bucketNames.images}/${PUBLIC_IMAGE_PREFIX}`] },
    oneWriteAtATimePerBucket(server.callback()),
  );
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const env: Record<string, string> = { AWS_ENDPOINT_URL_S3: endpoint };
  for (const [key, spec] of Object.entries(buckets) as [BucketKey, (typeof buckets)[BucketKey]][])
    env[spec.envVar] = bucketNames[key];
  // The public root of the variants: CloudFront (origin path /products) in AWS, the bucket's prefix here.
  env.IMAGES_BASE_URL = `${endpoint}/${bucketNames.images}/${PUBLIC_IMAGE_PREFIX.replace(/\/$/, '')}`;
  return {
    endpoint,
    bucketNames,
    env,
    events,
    directory,
    async stop() {
      await events.idle();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      front.closeAllConnections();
      // What s3rver's own listen() does when its server closes: release its logger's process-wide handlers.
      const { logger } = server as unknown as { logger: { exceptions: { unhandle(): void }; close(): void } };
      logger.exceptions.unhandle();
      logger.close();
      revoke();
      if (!options.dataDir) rmSync(directory, { recursive: true, force: true });
    },
  };
}
