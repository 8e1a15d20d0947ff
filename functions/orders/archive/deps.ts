import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../../shared/dynamo-client';
import { s3Client } from '../../shared/s3-client';
import { systemClock } from '../../shared/clock';
import { parseEnv } from '../../shared/env';
import { logger } from '../../shared/observability';
import { DEFAULT_RETENTION_DAYS } from './archive-orders';
import { DynamoArchivableOrders } from './dynamo-archivable-orders';
import { DynamoArchiveLease } from './dynamo-archive-lease';
import type { ArchiveDeps } from './ports';
import { S3ArchiveStore } from './s3-archive-store';

/** The archive job's dependencies from its environment (ORDER_ARCHIVE_RETENTION_DAYS overrides the retention). */
export function liveArchiveDeps(): ArchiveDeps {
  const env = parseEnv(
    z.object({
      ORDERS_TABLE: z.string(),
      ORDER_ARCHIVE_INDEX_TABLE: z.string(),
      ORDER_ARCHIVE_BUCKET: z.string(),
      ORDER_ARCHIVE_RETENTION_DAYS: z._default(
        z.coerce.number().check(z.minimum(1), z.maximum(36_500)),
        DEFAULT_RETENTION_DAYS,
      ),
    }),
  );
  return {
    orders: new DynamoArchivableOrders(dynamoDocumentClient(), env.ORDERS_TABLE, env.ORDER_ARCHIVE_INDEX_TABLE),
    lease: new DynamoArchiveLease(dynamoDocumentClient(), env.ORDER_ARCHIVE_INDEX_TABLE),
    store: new S3ArchiveStore(s3Client(), env.ORDER_ARCHIVE_BUCKET),
    clock: systemClock,
    retentionDays: env.ORDER_ARCHIVE_RETENTION_DAYS,
    log: (message, details) => logger.warn(message, details),
  };
}
