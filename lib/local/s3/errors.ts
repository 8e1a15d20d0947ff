/** S3's error answers: an XML `<Error>` document with the code S3 uses, as the SDK and browsers parse it. */
import type { ServerResponse } from 'node:http';

export interface S3Refusal {
  status: 400 | 403;
  code: 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidAccessKeyId' | 'AuthorizationQueryParametersError';
  message: string;
}

export const s3Refusal = (status: S3Refusal['status'], code: S3Refusal['code'], message: string): S3Refusal => ({
  status,
  code,
  message,
});

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export function sendS3Refusal(response: ServerResponse, refusal: S3Refusal, resource: string): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource></Error>`;
  response.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
