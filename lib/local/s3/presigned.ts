/**
 * A presigned URL's query authentication, checked as S3 checks it: the algorithm, our access key, a signing date
 * and an expiry not passed (at most 7 days), the signed headers present, and the signature recomputed. A header
 * the URL signs (the upload's Content-Type) that the request sends differently changes the signature: refused
 * with SignatureDoesNotMatch, as S3 does.
 */
import type { LocalCredentials } from '../guard/sigv4';
import { s3Refusal, type S3Refusal } from './errors';
import { headerValue, parseAmzDate, parseCredential, presignedSignatureMatches } from './signing';
import type { ReceivedS3Request } from './request';

const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
const queryError = (message: string) => s3Refusal(400, 'AuthorizationQueryParametersError', message);

export async function presignedRefusal(
  request: ReceivedS3Request,
  credentials: LocalCredentials,
  now: number,
): Promise<S3Refusal | undefined> {
  const q = request.query;
  const one = (name: string) => (Array.isArray(q[name]) ? undefined : (q[name] as string | undefined));
  if (one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    return queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const scope = parseCredential(one('X-Amz-Credential'));
  const signingDate = parseAmzDate(one('X-Amz-Date'));
  const expires = Number(one('X-Amz-Expires'));
  const signedHeaders = one('X-Amz-SignedHeaders')?.split(';');
  const signature = one('X-Amz-Signature');
  if (!scope || !signingDate || !signedHeaders || !signature || !Number.isInteger(expires))
    return queryError(
      'Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  if (scope.accessKeyId !== credentials.accessKeyId)
    return s3Refusal(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (expires < 1 || expires > MAX_EXPIRES_SECONDS)
    return queryError('X-Amz-Expires must be between 1 and 604800 seconds');
  if (now > signingDate.getTime() + expires * 1000) return s3Refusal(403, 'AccessDenied', 'Request has expired');
  if (!signedHeaders.includes('host')) return queryError('The host header must be signed.');
  const missing = signedHeaders.find((name) => headerValue(request.headers[name]) === undefined);
  if (missing)
    return s3Refusal(
      403,
      'AccessDenied',
      `There were headers present in the request which were not signed: ${missing}`,
    );
  const { ['X-Amz-Signature']: _signature, ...signedQuery } = q;
  const matches = await presignedSignatureMatches(
    { ...request, query: signedQuery, signedHeaders, signingDate, scope },
    expires,
    signature,
    credentials,
  );
  return matches ? undefined : signatureMismatch();
}

export const signatureMismatch = () =>
  s3Refusal(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );
