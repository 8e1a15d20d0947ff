/**
 * Verifies an AWS Signature Version 4 `Authorization` header by signing the request again with the platform's
 * credentials (@smithy/signature-v4, the SDK's own signer) and comparing: only a caller that holds the per-run
 * secret — the platform's handlers, and tools that read it from LOCAL_DATA_DIR/runtime.json — gets through.
 * The host is always signed, so a page that rebinds a name of its own to 127.0.0.1 cannot reuse a request.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { refusal, type Refusal } from './refusal';
import { Sha256, sha256Hex } from './sha256';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ReceivedRequest {
  method: string;
  /** As received: path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

export interface SignatureCheck {
  credentials: LocalCredentials;
  /** The signing name the SDK uses: `lambda`, `states`. */
  service: string;
  now?: () => number;
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** As AWS: a signature is good for 15 minutes either side of the server's clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const mismatch = () =>
  refusal(
    403,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
  );
const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

/** Undefined when the request is signed with the platform's credentials; otherwise why not, as AWS says it. */
export async function signatureRefusal(request: ReceivedRequest, check: SignatureCheck): Promise<Refusal | undefined> {
  const authorization = headerValue(request.headers.authorization);
  if (!authorization) return refusal(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const match = AUTHORIZATION.exec(authorization);
  if (!match)
    return refusal(
      403,
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256).",
    );
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const parsed: ParsedAuthorization = {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(';'),
    signature,
  };
  const signingDate = parseAmzDate(headerValue(request.headers['x-amz-date']));
  const early = scopeRefusal(parsed, signingDate, check) ?? headersRefusal(parsed, request);
  if (early) return early;
  const expected = await signatureOf(request, parsed, signingDate!, check.credentials);
  const given = Buffer.from(parsed.signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : mismatch();
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const parts = value ? AMZ_DATE.exec(value) : null;
  if (!parts) return undefined;
  const [, y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

function scopeRefusal(
  auth: ParsedAuthorization,
  signingDate: Date | undefined,
  check: SignatureCheck,
): Refusal | undefined {
  if (auth.accessKeyId !== check.credentials.accessKeyId)
    return refusal(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (auth.service !== check.service)
    return refusal(
      403,
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${check.service}'.`,
    );
  if (!signingDate)
    return refusal(
      403,
      'IncompleteSignatureException',
      'The request must carry a signed X-Amz-Date header (yyyyMMddTHHmmssZ).',
    );
  const longDate = signingDate.toISOString().replace(/[-:]|\.\d{3}/g, '');
  if (!longDate.startsWith(auth.date))
    return refusal(
      403,
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${longDate.slice(0, 8)}'.`,
    );
  const now = (check.now ?? Date.now)();
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS)
    return refusal(
      403,
      'InvalidSignatureException',
      `Signature expired or not yet current: ${longDate} is more than 15 minutes from the server's time.`,
    );
  return undefined;
}

function headersRefusal(auth: ParsedAuthorization, request: ReceivedRequest): Refusal | undefined {
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required))
      return refusal(403, 'IncompleteSignatureException', `The ${required} header must be signed.`);
  }
  const missing = auth.signedHeaders.find((name) => headerValue(request.headers[name]) === undefined);
  if (missing)
    return refusal(403, 'IncompleteSignatureException', `The signed header ${missing} is not in the request.`);
  const payloadHash = headerValue(request.headers['x-amz-content-sha256']);
  // The signer takes the body's hash from this header when it is sent: the header must then be the body's.
  if (payloadHash !== undefined && payloadHash !== sha256Hex(request.body)) {
    return refusal(
      403,
      'InvalidSignatureException',
      'The provided x-amz-content-sha256 header does not match the request body.',
    );
  }
  return undefined;
}

/** The signature the SDK computes for the same request, method, path, query and signed headers. */
async function signatureOf(
  request: ReceivedRequest,
  auth: ParsedAuthorization,
  signingDate: Date,
  credentials: LocalCredentials,
): Promise<Buffer> {
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(queryAt === -1 ? '' : request.url.slice(queryAt + 1))) {
    const earlier = query[name];
    query[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  const headers = Object.fromEntries(auth.signedHeaders.map((name) => [name, headerValue(request.headers[name])!]));
  const signer = new SignatureV4({
    credentials,
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const toSign = {
    method: request.method,
    protocol: 'http:',
    hostname: headers.host!,
    path,
    query,
    headers,
    body: request.body,
  };
  const signed = await signer.sign(toSign as HttpRequest, {
    signingDate,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const recomputed = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? '';
  return Buffer.from(recomputed, 'hex');
}
