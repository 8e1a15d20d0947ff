import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MANIFEST_PREFIX, PENDING_PREFIX, manifestKeyOf, pendingKeyOf, type ArchiveManifest } from './format';
import type { ArchiveStore } from './ports';

/** Archived orders are read rarely and must answer at once when they are: Glacier Instant Retrieval. */
export const ARCHIVE_STORAGE_CLASS = 'GLACIER_IR';

export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putArchive(key: string, body: Uint8Array, sha256: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/gzip',
        StorageClass: ARCHIVE_STORAGE_CLASS,
        Metadata: { sha256 },
      }),
    );
  }

  async getArchive(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  putManifest(manifest: ArchiveManifest): Promise<void> {
    return this.putJson(manifestKeyOf(manifest.batchId), manifest);
  }

  putPending(manifest: ArchiveManifest): Promise<void> {
    return this.putJson(pendingKeyOf(manifest.batchId), manifest);
  }

  async listPending(): Promise<ArchiveManifest[]> {
    const manifests: ArchiveManifest[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: PENDING_PREFIX, ContinuationToken }),
      );
      for (const { Key } of page.Contents ?? []) {
        const body = Key ? await this.getArchive(Key) : undefined;
        if (body) manifests.push(JSON.parse(Buffer.from(body).toString('utf8')) as ArchiveManifest);
      }
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return manifests;
  }

  async deletePending(batchId: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: pendingKeyOf(batchId) }));
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }
}

/** Every permanent manifest in the bucket (tests, an operator's audit of the archive). */
export async function listManifestKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: MANIFEST_PREFIX, ContinuationToken }),
    );
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}
