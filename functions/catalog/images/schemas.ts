import * as z from 'zod/mini';
import { Id } from '../../shared/schemas';

/** The formats an admin may upload; the bytes decide what an upload really is (domain/rules.ts). */
export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export const RequestImageUpload = z.strictObject({ contentType: z.enum(UPLOAD_CONTENT_TYPES) });
export type RequestImageUpload = z.infer<typeof RequestImageUpload>;

export const ImageUploadTicket = z.object({
  uploadUrl: z.string(),
  /** The image's id: GET …/images/{imageKey} follows it, DELETE …/images/{imageId} removes it. */
  imageKey: z.string(),
  expiresAt: z.string(),
});
export type ImageUploadTicket = z.infer<typeof ImageUploadTicket>;

export const ImageStatusValue = z.enum(['PROCESSING', 'READY', 'REJECTED']);
export type ImageStatusValue = z.infer<typeof ImageStatusValue>;

export const ImageStatus = z.object({
  imageKey: z.string(),
  status: ImageStatusValue,
  reason: z.optional(z.string()),
  urls: z.optional(z.array(z.string())),
});
export type ImageStatus = z.infer<typeof ImageStatus>;

/**
 * GET and DELETE name the same resource: API Gateway allows one path variable per level, so both call it
 * `imageKey` (API.md's `{imageId}` of DELETE is the same value: the imageKey is the image's id).
 */
export const ImageKeyParams = z.strictObject({ id: Id, imageKey: Id });
