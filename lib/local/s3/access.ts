/**
 * Who may do what on the local S3, as the deployed bucket policy allows it: requests signed with the platform's
 * secret (an SDK client, or a presigned URL it issued) may do what their signature covers; anonymous callers
 * may only read (GET, HEAD) the public prefixes — the image variants, which CloudFront serves in AWS — and send
 * CORS preflights; anything else anonymous is AccessDenied, as from a private bucket.
 */
import type { LocalCredentials } from '../guard/sigv4';
import { s3Refusal, type S3Refusal } from './errors';
import { headerAuthRefusal } from './header-auth';
import { presignedRefusal } from './presigned';
import type { ReceivedS3Request } from './request';

export interface S3AccessRules {
  credentials: LocalCredentials;
  /** `/bucket/prefix` paths anonymous callers may GET and HEAD. */
  publicReadPaths: readonly string[];
  now?: () => number;
}

const isPublicRead = (request: ReceivedS3Request, rules: S3AccessRules) =>
  (request.method === 'GET' || request.method === 'HEAD') &&
  !request.path.includes('..') &&
  rules.publicReadPaths.some((prefix) => decodeURIComponent(request.path).startsWith(prefix));

export async function accessRefusal(request: ReceivedS3Request, rules: S3AccessRules): Promise<S3Refusal | undefined> {
  // A CORS preflight is never authenticated, even when it carries a presigned URL's query: the CORS rule answers it.
  if (request.method === 'OPTIONS') return undefined;
  const now = (rules.now ?? Date.now)();
  const presigned = 'X-Amz-Algorithm' in request.query || 'X-Amz-Signature' in request.query;
  const signed = request.headers.authorization !== undefined;
  if (presigned && signed)
    return s3Refusal(400, 'AuthorizationQueryParametersError', 'Only one auth mechanism allowed');
  if (presigned) return presignedRefusal(request, rules.credentials, now);
  if (signed) return headerAuthRefusal(request, rules.credentials, now);
  if (isPublicRead(request, rules)) return undefined;
  return s3Refusal(403, 'AccessDenied', 'Access Denied');
}
