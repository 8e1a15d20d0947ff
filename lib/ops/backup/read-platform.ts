/** Reads every table (lib/tables.ts) and bucket (lib/buckets.ts) of a platform through their APIs. */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { tables } from '../../tables';
import { buckets } from '../../buckets';
import type { Item, PlatformData, StoredObject } from './snapshot';

export interface PlatformClients {
  dynamo: DynamoDBClient;
  s3: S3Client;
  /** Physical names by key, from the platform's environment (the variables its handlers read). */
  tableNames: Record<string, string>;
  bucketNames: Record<string, string>;
}

/** The clients and names of the platform whose handlers' environment this is (runtime.json's `env`). */
export function clientsFromEnvironment(env: Record<string, string>): PlatformClients {
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  const region = env.AWS_REGION;
  const named = <T extends Record<string, { envVar: string }>>(specs: T) =>
    Object.fromEntries(
      Object.entries(specs).map(([key, spec]) => {
        const name = env[spec.envVar];
        if (!name) throw new Error(`The platform's environment has no ${spec.envVar}`);
        return [key, name];
      }),
    );
  return {
    dynamo: new DynamoDBClient({ region, credentials, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB }),
    s3: new S3Client({ region, credentials, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true }),
    tableNames: named(tables),
    bucketNames: named(buckets),
  };
}

async function scanTable(dynamo: DynamoDBClient, TableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName, ConsistentRead: true, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** GetObjects in flight at once: one request at a time waits on the emulator's answer more than it works. */
const CONCURRENT_GETS = 8;

async function readObject(s3: S3Client, Bucket: string, Key: string): Promise<StoredObject> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return {
    key: Key,
    body: await out.Body!.transformToByteArray(),
    contentType: out.ContentType,
    storageClass: out.StorageClass,
    metadata: out.Metadata && Object.keys(out.Metadata).length ? out.Metadata : undefined,
  };
}

/** Every object of a page, a few at a time, in the listing's order. */
function readObjects(s3: S3Client, Bucket: string, keys: string[]): Promise<StoredObject[]> {
  const limit = pLimit(CONCURRENT_GETS);
  return Promise.all(keys.map((Key) => limit(() => readObject(s3, Bucket, Key))));
}

async function readBucket(s3: S3Client, Bucket: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken }));
    const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key ? [Key] : []));
    objects.push(...(await readObjects(s3, Bucket, keys)));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return objects;
}

export async function readPlatform(clients: PlatformClients): Promise<PlatformData> {
  const data: PlatformData = { tables: {}, buckets: {} };
  for (const [key, name] of Object.entries(clients.tableNames))
    data.tables[key] = { name, items: await scanTable(clients.dynamo, name) };
  for (const [key, name] of Object.entries(clients.bucketNames))
    data.buckets[key] = { name, objects: await readBucket(clients.s3, name) };
  return data;
}
