/**
 * The signature S3 expects for a request as received, recomputed with the SDK's own signer (@smithy/signature-v4)
 * and the platform's secret. S3 signs the path as sent (`uriEscapePath: false`: keys are encoded once, not twice)
 * and the payload as its `x-amz-content-sha256` says (`UNSIGNED-PAYLOAD` for a presigned URL), so the body
 * itself is not needed to check who signed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import type { LocalCredentials } from '../guard/sigv4';
import { Sha256 } from '../guard/sha256';

export interface SigningScope {
  accessKeyId: string;
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

export interface RequestToCheck {
  method: string;
  path: string;
  /** Every query parameter but the signature itself. */
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  signedHeaders: string[];
  signingDate: Date;
  scope: SigningScope;
}

export const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function parseAmzDate(value: string | undefined): Date | undefined {
  const parts = value ? AMZ_DATE.exec(value) : null;
  if (!parts) return undefined;
  const [, y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

export function parseCredential(value: string | undefined): SigningScope | undefined {
  const parts = value ? CREDENTIAL.exec(value) : null;
  if (!parts) return undefined;
  const [, accessKeyId, date, region, service] = parts as unknown as [string, string, string, string, string];
  return { accessKeyId, date, region, service };
}

export const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

function signer(request: RequestToCheck, credentials: LocalCredentials) {
  return new SignatureV4({
    credentials,
    region: request.scope.region,
    service: request.scope.service,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function httpRequest(request: RequestToCheck, extraHeaders: Record<string, string> = {}): HttpRequest {
  const headers: Record<string, string> = { ...extraHeaders };
  for (const name of request.signedHeaders) headers[name] = headerValue(request.headers[name]) ?? '';
  return {
    method: request.method,
    protocol: 'http:',
    hostname: headers.host ?? '',
    path: request.path,
    query: request.query,
    headers,
  };
}

const sameSignature = (expected: string, given: string) => {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === 32 && a.length === b.length && timingSafeEqual(a, b);
};

/** Whether a presigned URL's `X-Amz-Signature` is the one its other parameters and headers sign to. */
export async function presignedSignatureMatches(
  request: RequestToCheck,
  expiresIn: number,
  given: string,
  credentials: LocalCredentials,
): Promise<boolean> {
  // The payload hash a presigned URL signs is UNSIGNED-PAYLOAD: given as a header the signer reads it from, but
  // neither signed as a header nor hoisted into the query (the URL's own query already says it, if it does).
  const payloadHash = new Set(['x-amz-content-sha256']);
  const presigned = await signer(request, credentials).presign(
    httpRequest(request, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
    {
      signingDate: request.signingDate,
      expiresIn,
      signableHeaders: new Set(request.signedHeaders),
      unsignableHeaders: payloadHash,
      unhoistableHeaders: payloadHash,
    },
  );
  return sameSignature(String(presigned.query?.['X-Amz-Signature'] ?? ''), given);
}

/** Whether an `Authorization` header's signature is the one the request signs to. */
export async function headerSignatureMatches(
  request: RequestToCheck,
  given: string,
  credentials: LocalCredentials,
): Promise<boolean> {
  const signed = await signer(request, credentials).sign(httpRequest(request), {
    signingDate: request.signingDate,
    signableHeaders: new Set(request.signedHeaders),
  });
  const recomputed = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? '';
  return sameSignature(recomputed, given);
}
