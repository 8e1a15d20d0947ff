/**
 * An `Authorization: AWS4-HMAC-SHA256 …` request (the SDK's), checked as S3 checks it: our access key, a
 * signed x-amz-date within 15 minutes of now, host and x-amz-content-sha256 signed, the signature recomputed.
 * The payload hash is trusted as declared (S3 would also compare it with the body it reads; s3rver stores the body).
 */
import type { LocalCredentials } from '../guard/sigv4';
import { s3Refusal, type S3Refusal } from './errors';
import { signatureMismatch } from './presigned';
import type { ReceivedS3Request } from './request';
import { headerSignatureMatches, headerValue, parseAmzDate, parseCredential } from './signing';

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

export async function headerAuthRefusal(
  request: ReceivedS3Request,
  credentials: LocalCredentials,
  now: number,
): Promise<S3Refusal | undefined> {
  const match = AUTHORIZATION.exec(headerValue(request.headers.authorization) ?? '');
  const scope = match ? parseCredential(match[1]) : undefined;
  if (!match || !scope)
    return s3Refusal(400 as const, 'AuthorizationQueryParametersError', 'The authorization header is malformed.');
  if (scope.accessKeyId !== credentials.accessKeyId)
    return s3Refusal(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const signedHeaders = match[2].split(';');
  const signingDate = parseAmzDate(headerValue(request.headers['x-amz-date']));
  if (!signingDate || !signedHeaders.includes('x-amz-date') || !signedHeaders.includes('host'))
    return s3Refusal(403, 'AccessDenied', 'The host and x-amz-date headers must be signed.');
  if (!signedHeaders.includes('x-amz-content-sha256') || !request.headers['x-amz-content-sha256'])
    return s3Refusal(
      400 as const,
      'AuthorizationQueryParametersError',
      'Missing required header for this request: x-amz-content-sha256',
    );
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS)
    return s3Refusal(403, 'AccessDenied', 'The difference between the request time and the current time is too large.');
  const missing = signedHeaders.find((name) => headerValue(request.headers[name]) === undefined);
  if (missing) return s3Refusal(403, 'AccessDenied', `The signed header ${missing} is not in the request.`);
  const matches = await headerSignatureMatches(
    { ...request, signedHeaders, signingDate, scope },
    match[3],
    credentials,
  );
  return matches ? undefined : signatureMismatch();
}
