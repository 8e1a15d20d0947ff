import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../../shared/dynamo-client';
import { s3Client } from '../../shared/s3-client';
import { systemClock } from '../../shared/clock';
import { parseEnv } from '../../shared/env';
import { productRepository } from '../deps';
import { DynamoImageRecords } from './adapters/dynamo-image-records';
import { S3ImageObjects } from './adapters/s3-image-objects';
import type { ImageDeps } from './ports';

export const newImageId = () => `i${randomBytes(8).toString('hex')}`;

/** The image records alone: all the status route reads. */
export function liveImageRecords() {
  const env = parseEnv(z.object({ PRODUCT_IMAGES_TABLE: z.string() }));
  return { records: new DynamoImageRecords(dynamoDocumentClient(), env.PRODUCT_IMAGES_TABLE) };
}

/** What the image routes and the image function share: the records, the bucket, the products. */
export function liveImageDeps(options: { publicBaseUrl?: boolean } = {}) {
  const env = parseEnv(
    z.object({
      PRODUCT_IMAGES_TABLE: z.string(),
      IMAGES_BUCKET: z.string(),
      // Only the image function writes URLs into products.
      IMAGES_BASE_URL: options.publicBaseUrl ? z.string().check(z.url()) : z.optional(z.string()),
    }),
  );
  const deps: ImageDeps & { products: ReturnType<typeof productRepository> } = {
    records: new DynamoImageRecords(dynamoDocumentClient(), env.PRODUCT_IMAGES_TABLE),
    objects: new S3ImageObjects(s3Client(), env.IMAGES_BUCKET),
    products: productRepository(),
    clock: systemClock,
    newId: newImageId,
    publicBaseUrl: env.IMAGES_BASE_URL ?? '',
  };
  return deps;
}
