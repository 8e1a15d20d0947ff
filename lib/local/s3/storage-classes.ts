/**
 * s3rver refuses storage classes newer than itself (its list predates GLACIER_IR, 2021): the archive of old
 * orders writes Glacier Instant Retrieval objects, so the local emulator learns that class, and keeps it on the
 * object as S3 does (HeadObject answers x-amz-storage-class). Instant retrieval means reads need no restore.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3Object = require('s3rver/lib/models/object.js') as { STORAGE_CLASSES: string[] };

/** Classes S3 accepts on PutObject that s3rver's list lacks. */
const NEWER_STORAGE_CLASSES = ['GLACIER_IR', 'STANDARD_IA', 'INTELLIGENT_TIERING'];

export function acceptNewerStorageClasses(): void {
  for (const storageClass of NEWER_STORAGE_CLASSES)
    if (!S3Object.STORAGE_CLASSES.includes(storageClass)) S3Object.STORAGE_CLASSES.push(storageClass);
}
