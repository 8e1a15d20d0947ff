/** What the product-image domain needs from the outside: its records, the bucket, and an image codec. */
import type { ImageStatusValue } from './schemas';

export interface ImageRecord {
  productId: string;
  imageId: string;
  status: ImageStatusValue;
  declaredContentType: string;
  reason?: string;
  urls?: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ImageRecords {
  create(record: ImageRecord): Promise<void>;
  get(productId: string, imageId: string): Promise<ImageRecord | undefined>;
  /** Settles a PROCESSING record (READY or REJECTED); false when it is no longer PROCESSING (a redelivery). */
  settle(record: ImageRecord): Promise<boolean>;
  delete(productId: string, imageId: string): Promise<void>;
}

export interface StoredObject {
  bytes: Uint8Array;
}

export interface ImageObjects {
  /** A URL the client PUTs the original to, signed for this key and content type only. */
  presignUpload(key: string, contentType: string, expiresInSeconds: number): Promise<string>;
  /** The object's size in bytes, without reading it; undefined when absent. */
  sizeOf(key: string): Promise<number | undefined>;
  read(key: string): Promise<Uint8Array | undefined>;
  /** Writes a public variant: immutable, cached for a year. */
  putVariant(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Copies the object to `to` and deletes it from `from`. */
  move(from: string, to: string): Promise<void>;
  deleteKeys(keys: string[]): Promise<void>;
  /** Every key under the prefix (a removed image's variants, whatever widths and formats they were). */
  list(prefix: string): Promise<string[]>;
}

/** What the bytes are, as the decoder reads their header; undefined when they are no image it knows. */
export interface ImageFacts {
  format: string;
  width: number;
  height: number;
}

export interface RenderedVariant {
  width: number;
  format: 'webp' | 'avif';
  contentType: string;
  bytes: Uint8Array;
}

export class NotAnImageError extends Error {}
export class CorruptImageError extends Error {}
export class ImageTooLargeToDecodeError extends Error {}

export interface ImageCodec {
  /** Reads the header only. Throws NotAnImageError when the bytes are no image format it knows, CorruptImageError when the header is broken. */
  inspect(bytes: Uint8Array): Promise<ImageFacts>;
  /**
   * Decodes the whole image (a truncated one fails here: CorruptImageError; past the pixel limit:
   * ImageTooLargeToDecodeError) and encodes each width, metadata stripped.
   */
  render(bytes: Uint8Array, widths: readonly number[]): Promise<RenderedVariant[]>;
}

export interface ImageDeps {
  records: ImageRecords;
  objects: ImageObjects;
  clock: { now(): Date };
  newId: () => string;
  /** The public root of the variants (`products/` of the bucket): CloudFront's URL in AWS, the emulator's path locally. */
  publicBaseUrl: string;
}
