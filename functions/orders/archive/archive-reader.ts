import type { ArchiveStore } from './ports';

/**
 * The archive bucket as the read routes use it, its S3 client loaded on the first archived order they read: GET
 * /v1/orders/{orderId} and GET /v1/orders go to S3 only for orders the archive job has moved out of the table, so
 * most of their cold starts never need the S3 client, about 120 KiB of their bundles (`npm run bench -- --only
 * bundles`).
 */
export function archiveReaderOnFirstRead(bucket: string): Pick<ArchiveStore, 'getArchive'> {
  let store: Promise<Pick<ArchiveStore, 'getArchive'>> | undefined;
  const load = () =>
    Promise.all([import('./s3-archive-store'), import('../../shared/s3-client')]).then(
      ([{ S3ArchiveStore }, { s3Client }]) => new S3ArchiveStore(s3Client(), bucket),
      (e: unknown) => {
        store = undefined; // the next read tries again
        throw e;
      },
    );
  return {
    async getArchive(key) {
      store ??= load();
      return (await store).getArchive(key);
    },
  };
}
