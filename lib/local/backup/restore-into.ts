/**
 * Loads a verified snapshot into a fresh data directory: DynamoDB Local and s3rver are started on it (free
 * ports, persisted where `npm start` will find them), the tables created as the platform creates them, every
 * item and object written, and both stopped. The platform started on the folder afterwards finds its data.
 *
 * The directory is written beside its place (`<dir>.restoring`, claimed like a platform's: one restore at a time,
 * its DynamoDB Local's pid recorded) and moved into place only once whole: a restore killed midway leaves the data
 * directory as it was, and the next restore stops what the killed one left running and starts over. The tables
 * are loaded in a memory-backed scratch folder and copied in once whole (memory-scratch.ts: on disk, DynamoDB
 * Local flushes every item it writes).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client, type StorageClass } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { freePort, startDynamoDbLocal } from '../emulators';
import { ensureTables, physicalTableName } from '../bootstrap';
import { startLocalS3 } from '../s3/server';
import { TABLE_PREFIX } from '../platform/databases';
import { claimDataDir, recordEmulatorPids, releaseDataDir } from '../platform/data-dir';
import { removeLeftoverScratch, settleTables, tablesScratch } from './memory-scratch';
import { withStreamRecordIndex } from './stream-record-index';
import { tableList, tables, type TableKey } from '../../tables';
import type { BucketKey } from '../../buckets';
import type { Item, PlatformData } from '../../ops/backup/snapshot';

const REGION = 'eu-west-2';
const CONCURRENT_PUTS = 8;

/** One table's items in their order, 25 to a BatchWriteItem (its limit). */
async function writeItems(dynamo: DynamoDBClient, TableName: string, items: Item[]) {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, { PutRequest: { Item: Item } }[]> | undefined = {
      [TableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (pending && Object.keys(pending).length) {
      const out = await dynamo.send(new BatchWriteItemCommand({ RequestItems: pending }));
      pending = out.UnprocessedItems as typeof pending;
    }
  }
}

async function restoreTables(
  dataDir: string,
  data: PlatformData,
  credentials: { accessKeyId: string; secretAccessKey: string },
) {
  const bytes = Object.values(data.tables).reduce(
    (n, table) => n + table.items.reduce((m, item) => m + JSON.stringify(item).length, 0),
    0,
  );
  const scratch = tablesScratch(dataDir, bytes);
  const emulator = await startDynamoDbLocal({ port: await freePort(), dataDir: scratch });
  recordEmulatorPids(dataDir, [emulator.pid]);
  const dynamo = new DynamoDBClient({ region: REGION, endpoint: emulator.endpoint, credentials });
  try {
    await ensureTables(dynamo, TABLE_PREFIX, tableList);
    const names = Object.keys(data.tables).map((key) => {
      const spec = tables[key as TableKey];
      if (!spec) throw new Error(`The snapshot holds a table this version does not know: ${key}`);
      return physicalTableName(TABLE_PREFIX, spec);
    });
    // The tables side by side (each in its order): DynamoDB Local answers one while another's batch is on its way.
    await withStreamRecordIndex(scratch, () =>
      Promise.all(Object.values(data.tables).map((table, i) => writeItems(dynamo, names[i], table.items))),
    );
  } finally {
    dynamo.destroy();
    await emulator.stop();
  }
  settleTables(dataDir, scratch);
}

async function restoreBuckets(
  dataDir: string,
  data: PlatformData,
  credentials: { accessKeyId: string; secretAccessKey: string },
) {
  const s3 = await startLocalS3({
    port: await freePort(),
    prefix: TABLE_PREFIX,
    credentials,
    dataDir: path.join(dataDir, 's3'),
    // Its rule is the platform's to set on each start; s3rver needs one to create the buckets.
    corsAllowedOrigins: ['http://localhost:*'],
  });
  const client = new S3Client({ region: REGION, endpoint: s3.endpoint, credentials, forcePathStyle: true });
  // A few objects in flight at once: one at a time, the restore waits on s3rver's answers more than it works.
  const limit = pLimit(CONCURRENT_PUTS);
  try {
    for (const [key, bucket] of Object.entries(data.buckets)) {
      const Bucket = s3.bucketNames[key as BucketKey];
      if (!Bucket) throw new Error(`The snapshot holds a bucket this version does not know: ${key}`);
      await Promise.all(
        bucket.objects.map((object) =>
          limit(() =>
            client.send(
              new PutObjectCommand({
                Bucket,
                Key: object.key,
                Body: object.body,
                ContentType: object.contentType,
                StorageClass: object.storageClass as StorageClass | undefined,
                Metadata: object.metadata,
              }),
            ),
          ),
        ),
      );
    }
  } finally {
    client.destroy();
    await s3.stop();
  }
}

export async function restoreInto(dataDir: string, data: PlatformData, options: { replace?: boolean } = {}) {
  const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(16).toString('hex') };
  const staging = `${dataDir}.restoring`;
  await startStaging(staging);
  await restoreTables(staging, data, credentials);
  await restoreBuckets(staging, data, credentials);
  releaseDataDir(staging);
  moveIntoPlace(staging, dataDir, options.replace ?? false);
}

/** A fresh staging directory: a killed restore's is claimed (its emulators stopped) and emptied first. */
async function startStaging(staging: string) {
  if (existsSync(staging)) {
    await claimDataDir(staging);
    removeLeftoverScratch(staging);
    rmSync(staging, { recursive: true, force: true });
  }
  mkdirSync(staging, { recursive: true });
  await claimDataDir(staging);
}

/** The whole restored directory takes the data directory's place; what was there goes only then. */
function moveIntoPlace(staging: string, dataDir: string, replace: boolean) {
  if (!existsSync(dataDir)) return renameSync(staging, dataDir);
  // An empty directory gives way; one that is not empty is refused (ENOTEMPTY), as it should be.
  if (!replace) rmdirSync(dataDir);
  const replaced = `${dataDir}.replaced`;
  if (replace) {
    rmSync(replaced, { recursive: true, force: true });
    renameSync(dataDir, replaced);
  }
  renameSync(staging, dataDir);
  rmSync(replaced, { recursive: true, force: true });
}
