/**
 * Browsers may not call the platform's internal endpoints. A web page can send a "simple" cross-origin POST
 * (a text/plain, form or multipart body, or an untyped one) without a CORS preflight: its response goes unread
 * but its effect happens — a page could invoke refundPayment. Browsers put an Origin header on every POST,
 * which the AWS SDK for Node never sends, and the SDK's content types are none of the simple ones.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { refusal, type Refusal } from './refusal';

export function browserRefusal(
  method: string,
  headers: IncomingHttpHeaders,
  allowedContentTypes: readonly string[],
): Refusal | undefined {
  if (headers.origin !== undefined)
    return refusal(403, 'AccessDeniedException', 'This local endpoint does not answer browsers.');
  if (method === 'GET' || method === 'HEAD') return undefined;
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !allowedContentTypes.includes(mediaType)) {
    return refusal(
      415,
      'UnsupportedMediaTypeException',
      `Unsupported content type ${mediaType || '(none)'}: send ${allowedContentTypes.join(' or ')}.`,
    );
  }
  return undefined;
}
