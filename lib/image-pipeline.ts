/**
 * The product-image function, as data: what S3 notifies it of (ObjectCreated under `uploads/` of the images
 * bucket) and what it may touch. The CDK construct (lib/contexts/images.ts) and the local substrate
 * (lib/local/platform/services.ts) both wire it from here.
 */
import { QUARANTINE_PREFIX, UPLOADS_PREFIX, VARIANTS_PREFIX } from '../functions/catalog/images/domain/rules';
import type { FunctionSpec } from './function-spec';

export const imageProcessor = {
  id: 'processProductImage',
  context: 'catalog',
  handler: 'functions/catalog/images/handlers/process-upload.ts',
  summary:
    'Check an uploaded product image by its bytes (format, 5 MB, 800×800, pixel limit), write its WebP variants and list them in the product, or quarantine it with the reason',
  tables: { products: 'readwrite', productImages: 'readwrite' },
  // Originals: read, and deleted once processed or moved. Variants: written, and removed after a failed run.
  // Quarantine: written. Key names, for HeadObject's 404. Nothing else of the bucket.
  buckets: {
    images: {
      get: [UPLOADS_PREFIX],
      put: [VARIANTS_PREFIX, QUARANTINE_PREFIX],
      delete: [UPLOADS_PREFIX, VARIANTS_PREFIX],
      list: true,
    },
  },
  /** The bucket notification's filter. */
  notifiedBy: { prefix: UPLOADS_PREFIX, events: ['ObjectCreated'] as const },
} as const satisfies FunctionSpec & { notifiedBy: unknown };
