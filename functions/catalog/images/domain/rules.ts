/** What an accepted product image is, and where its objects live in the images bucket. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const MIN_SIDE_PX = 800;
/**
 * The decompression-bomb guard: a 5 MB file may claim billions of pixels (a flat PNG compresses ~1000:1). 40
 * megapixels is more than any product photo needs (a 7,000 × 5,000 camera frame is 35) and decodes in ~160 MB.
 */
export const MAX_INPUT_PIXELS = 40_000_000;
export const VARIANT_WIDTHS = [800, 400, 200] as const;
/** Formats by what the bytes are (sharp's names), whatever the upload declared. */
export const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp'] as const;
/** How long an upload URL stays good. */
export const UPLOAD_URL_SECONDS = 5 * 60;

export const UPLOADS_PREFIX = 'uploads/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const VARIANTS_PREFIX = 'products/';

export const uploadKey = (productId: string, imageId: string) => `${UPLOADS_PREFIX}${productId}/${imageId}`;
export const quarantineKey = (productId: string, imageId: string) => `${QUARANTINE_PREFIX}${productId}/${imageId}`;
export const variantsPrefix = (productId: string, imageId: string) =>
  `${VARIANTS_PREFIX}${productId}/images/${imageId}/`;
/**
 * A variant's path below the public root of the variants (`products/` in the bucket): CloudFront's origin path
 * is `/products`, so it can serve variants and nothing else of the bucket (no upload, no quarantined file).
 */
export const variantPublicPath = (productId: string, imageId: string, width: number, format: string) =>
  `${productId}/images/${imageId}/${width}.${format}`;
export const variantKey = (productId: string, imageId: string, width: number, format: string) =>
  `${VARIANTS_PREFIX}${variantPublicPath(productId, imageId, width, format)}`;

const UPLOAD_KEY = /^uploads\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

/** The product and image an uploaded key belongs to; undefined for a key the platform never hands out. */
export function parseUploadKey(key: string): { productId: string; imageId: string } | undefined {
  const match = UPLOAD_KEY.exec(key);
  return match ? { productId: match[1], imageId: match[2] } : undefined;
}

/** The product's image URLs of one image: its variants' URLs all lie under its own prefix. */
export const isUrlOfImage = (url: string, productId: string, imageId: string) =>
  url.includes(`/${productId}/images/${imageId}/`);

const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

/** Why an upload is refused, as the admin reads it on GET …/images/{imageKey}. */
export const rejection = {
  tooLarge: (bytes: number) => `The file is ${megabytes(bytes)} MB; the limit is 5 MB`,
  notAnImage: 'The file is not an image this service can read (JPEG, PNG or WebP)',
  unsupportedFormat: (format: string) => `The file is ${format}; only JPEG, PNG and WebP images are accepted`,
  tooSmall: (width: number, height: number) =>
    `The image is ${width}×${height} px; both sides must be at least ${MIN_SIDE_PX} px`,
  tooManyPixels: (width: number, height: number) =>
    `The image claims ${width}×${height} px, over the ${MAX_INPUT_PIXELS / 1_000_000}-megapixel limit (a decompression bomb is refused unread)`,
  corrupt: 'The image is corrupt: its data cannot be decoded',
  productGone: 'The product no longer exists',
} as const;

/** The facts decide: undefined when the image may be processed, else why not. */
export function refusalOf(facts: { format: string; width: number; height: number }): string | undefined {
  if (!(ACCEPTED_FORMATS as readonly string[]).includes(facts.format)) return rejection.unsupportedFormat(facts.format);
  if (facts.width * facts.height > MAX_INPUT_PIXELS) return rejection.tooManyPixels(facts.width, facts.height);
  if (facts.width < MIN_SIDE_PX || facts.height < MIN_SIDE_PX) return rejection.tooSmall(facts.width, facts.height);
  return undefined;
}
