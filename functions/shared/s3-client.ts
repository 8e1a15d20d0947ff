import { S3Client } from '@aws-sdk/client-s3';
import { traced } from './tracing';

let s3: S3Client | undefined;

/**
 * The S3 client, one per container, made on first use. Path-style addressing (`endpoint/bucket/key`) in both
 * substrates: S3 still serves it, and a local endpoint on 127.0.0.1 has no bucket subdomains. Checksums only where S3
 * requires them: a presigned PUT must not carry the checksum of an empty body the SDK would otherwise compute when it
 * signs.
 */
export function s3Client(): S3Client {
  s3 ??= traced(
    new S3Client({
      maxAttempts: 3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
  return s3;
}
