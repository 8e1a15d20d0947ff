/**
 * s3rver keeps the key pairs it accepts in one process-wide registry (its only built-in pair is S3RVER/S3RVER):
 * the platform's per-run credentials are added there, so the handlers' SDK clients sign with the same secret
 * as every other local service.
 */
import { createRequire } from 'node:module';
import type { LocalCredentials } from '../guard/sigv4';

interface AwsAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const require = createRequire(import.meta.url);
const account = (require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: AwsAccount }).DUMMY_ACCOUNT;

/** Registers the key pair; the returned function removes it again (a platform that stops). */
export function acceptCredentials(credentials: LocalCredentials): () => void {
  account.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  return () => account.revokeAccessKey(credentials.accessKeyId);
}
