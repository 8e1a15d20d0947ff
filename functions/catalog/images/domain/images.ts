/**
 * Product images: an admin asks for an upload URL, PUTs the original straight to the bucket, and the upload's
 * object event runs `processUpload`, which checks the bytes, writes the WebP variants and lists them in the
 * product's `imageUrls` — or quarantines the original with the reason the admin then reads.
 */
import { conflict, notFound } from '../../../shared/errors';
import type { ProductRepository } from '../../ports';
import type { Product } from '../../schemas';
import {
  CorruptImageError,
  ImageTooLargeToDecodeError,
  NotAnImageError,
  type ImageCodec,
  type ImageDeps,
  type ImageRecord,
} from '../ports';
import type { ImageStatus, ImageUploadTicket, RequestImageUpload } from '../schemas';
import { changeProduct, withImageUrls, withoutImageUrls } from './product-images';
import {
  MAX_UPLOAD_BYTES,
  UPLOAD_URL_SECONDS,
  VARIANT_WIDTHS,
  isUrlOfImage,
  parseUploadKey,
  quarantineKey,
  refusalOf,
  rejection,
  uploadKey,
  variantKey,
  variantPublicPath,
  variantsPrefix,
} from './rules';

type WithProducts = ImageDeps & { products: ProductRepository };

export async function requestUpload(
  productId: string,
  input: RequestImageUpload,
  deps: WithProducts,
): Promise<ImageUploadTicket> {
  if (!(await deps.products.get(productId))) throw notFound('Product');
  const imageId = deps.newId();
  const now = deps.clock.now();
  // The record first: an upload that lands finds it PROCESSING, whatever the timing.
  await deps.records.create({
    productId,
    imageId,
    status: 'PROCESSING',
    declaredContentType: input.contentType,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  const uploadUrl = await deps.objects.presignUpload(
    uploadKey(productId, imageId),
    input.contentType,
    UPLOAD_URL_SECONDS,
  );
  return {
    uploadUrl,
    imageKey: imageId,
    expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}

export async function imageStatus(
  productId: string,
  imageId: string,
  deps: Pick<ImageDeps, 'records'>,
): Promise<ImageStatus> {
  const record = await deps.records.get(productId, imageId);
  if (!record) throw notFound('Image');
  return {
    imageKey: record.imageId,
    status: record.status,
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.urls ? { urls: record.urls } : {}),
  };
}

export type ProcessOutcome =
  { outcome: 'READY'; urls: string[] } | { outcome: 'REJECTED'; reason: string } | { outcome: 'IGNORED'; why: string };

/** Handles one uploaded object; safe to run again for the same key (S3 delivers at least once). */
export async function processUpload(key: string, deps: WithProducts & { codec: ImageCodec }): Promise<ProcessOutcome> {
  const ids = parseUploadKey(key);
  if (!ids) return { outcome: 'IGNORED', why: `not an upload key: ${key}` };
  const record = await deps.records.get(ids.productId, ids.imageId);
  // A second PUT to a URL still good after its image settled (or was removed) leaves a stray original: not kept.
  if (!record || record.status !== 'PROCESSING') {
    await deps.objects.deleteKeys([key]);
    return { outcome: 'IGNORED', why: record ? `already ${record.status}` : 'no upload was requested for this key' };
  }
  const size = await deps.objects.sizeOf(key);
  if (size === undefined) return { outcome: 'IGNORED', why: 'the upload is gone' };
  const checked =
    size > MAX_UPLOAD_BYTES ? { reason: rejection.tooLarge(size) } : await renderUpload(key, record, deps);
  if ('reason' in checked) return reject(record, checked.reason, deps);
  const product = await changeProduct(record.productId, withImageUrls(checked.urls), deps);
  if (!product) return reject(record, rejection.productGone, deps);
  await settle(record, { status: 'READY', urls: checked.urls }, deps);
  await deps.objects.deleteKeys([key]);
  return { outcome: 'READY', urls: checked.urls };
}

async function renderUpload(
  key: string,
  record: ImageRecord,
  deps: WithProducts & { codec: ImageCodec },
): Promise<{ urls: string[] } | { reason: string }> {
  const bytes = await deps.objects.read(key);
  if (!bytes) return { reason: rejection.notAnImage };
  try {
    const facts = await deps.codec.inspect(bytes);
    const refusal = refusalOf(facts);
    if (refusal) return { reason: refusal };
    const variants = await deps.codec.render(bytes, VARIANT_WIDTHS);
    const urls: string[] = [];
    for (const variant of variants) {
      const { productId, imageId } = record;
      await deps.objects.putVariant(
        variantKey(productId, imageId, variant.width, variant.format),
        variant.bytes,
        variant.contentType,
      );
      urls.push(
        `${deps.publicBaseUrl.replace(/\/+$/, '')}/${variantPublicPath(productId, imageId, variant.width, variant.format)}`,
      );
    }
    return { urls };
  } catch (e) {
    if (e instanceof NotAnImageError) return { reason: rejection.notAnImage };
    if (e instanceof CorruptImageError)
      return { reason: e.message ? `${rejection.corrupt} (${e.message})` : rejection.corrupt };
    if (e instanceof ImageTooLargeToDecodeError) return { reason: e.message };
    throw e;
  }
}

async function reject(record: ImageRecord, reason: string, deps: ImageDeps): Promise<ProcessOutcome> {
  await deps.objects.move(uploadKey(record.productId, record.imageId), quarantineKey(record.productId, record.imageId));
  // Variants written before a later step failed are not the product's: remove them.
  const written = await deps.objects.list(variantsPrefix(record.productId, record.imageId));
  if (written.length) await deps.objects.deleteKeys(written);
  await settle(record, { status: 'REJECTED', reason }, deps);
  return { outcome: 'REJECTED', reason };
}

const settle = (record: ImageRecord, change: Pick<ImageRecord, 'status' | 'reason' | 'urls'>, deps: ImageDeps) =>
  deps.records.settle({ ...record, ...change, updatedAt: deps.clock.now().toISOString() });

/** Removes an image from its product (a conditional write, like any product change) and deletes its objects. */
export async function removeImage(productId: string, imageId: string, deps: WithProducts): Promise<Product> {
  const product = await deps.products.get(productId);
  if (!product) throw notFound('Product');
  const record = await deps.records.get(productId, imageId);
  const listed = product.imageUrls.some((url) => isUrlOfImage(url, productId, imageId));
  if (!record && !listed) throw notFound('Image');
  if (record?.status === 'PROCESSING') {
    // An upload URL that expired unused leaves a record nothing will settle: that one may go at once.
    const urlExpired = deps.clock.now().getTime() > Date.parse(record.createdAt) + UPLOAD_URL_SECONDS * 1000;
    if (!urlExpired || (await deps.objects.sizeOf(uploadKey(productId, imageId))) !== undefined)
      throw conflict('The image is still being processed; remove it once GET shows it READY or REJECTED');
  }
  const changed = await changeProduct(
    productId,
    withoutImageUrls((url) => isUrlOfImage(url, productId, imageId)),
    deps,
  );
  if (!changed) throw notFound('Product');
  const variants = await deps.objects.list(variantsPrefix(productId, imageId));
  await deps.objects.deleteKeys([...variants, uploadKey(productId, imageId), quarantineKey(productId, imageId)]);
  await deps.records.delete(productId, imageId);
  return changed;
}
