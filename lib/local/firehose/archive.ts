/**
 * The local stand-in for a Firehose delivery stream from a Kinesis stream to S3 (lib/audit.ts describes it; CDK
 * builds the real one): a local event source mapping on the stream (lib/local/event-source-mappings) whose
 * handler writes each batch to the bucket as Firehose would (./objects.ts). Where Firehose buffers for up to a
 * minute, this writes every batch at once: the objects are smaller and more numerous, their content the same.
 * A failed write is retried with the batch (the mapping retries forever: the archive must lose nothing); the
 * objects' names make a retry overwrite rather than duplicate.
 */
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StreamArchiveSpec } from '../../audit';
import {
  startEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
} from '../event-source-mappings/mapping';
import { archiveObjects, type ArchivedRecord } from './objects';
import { checkPrefix } from './prefix';

type Credentials = { accessKeyId: string; secretAccessKey: string };

export interface LocalStreamArchiveOptions {
  spec: StreamArchiveSpec;
  /** Physical names: `${prefix}-${spec.name}` names the objects as a delivery stream's name does. */
  prefix: string;
  region: string;
  credentials: Credentials;
  kinesisEndpoint: string;
  streamName: string;
  s3Endpoint: string;
  bucketName: string;
  /** Checkpoints go to `${checkpointDir}/<archive name>.json`; in memory only when absent. */
  checkpointDir?: string;
  tuning?: Pick<
    EventSourceMappingOptions,
    'pollIntervalMs' | 'shardDiscoveryIntervalMs' | 'retryDelayMs' | 'maxRetryDelayMs'
  >;
  onError?: (error: unknown, where: string) => void;
}

export interface LocalStreamArchive {
  mapping: EventSourceMapping;
  stop(): Promise<void>;
}

export async function startLocalStreamArchive(options: LocalStreamArchiveOptions): Promise<LocalStreamArchive> {
  const { spec } = options;
  checkPrefix(spec.prefix);
  const s3 = new S3Client({
    region: options.region,
    endpoint: options.s3Endpoint,
    credentials: options.credentials,
    forcePathStyle: true,
  });
  const name = `${options.prefix}-${spec.name}`;
  const deliver = async (event: { Records: ArchivedRecord[] }) => {
    for (const object of archiveObjects(event.Records, {
      name,
      prefix: spec.prefix,
      fileExtension: spec.fileExtension,
    }))
      await s3.send(
        new PutObjectCommand({
          Bucket: options.bucketName,
          Key: object.key,
          Body: object.body,
        }),
      );
  };
  let mapping: EventSourceMapping;
  try {
    mapping = await startEventSourceMapping({
      ...options.tuning,
      source: { kind: 'kinesis', endpoint: options.kinesisEndpoint, streamName: options.streamName },
      handler: deliver,
      region: options.region,
      credentials: options.credentials,
      functionName: name,
      // Firehose reads the stream from its start, and its records are buffered up to 5 MiB: large batches.
      batchSize: 500,
      startingPosition: 'TRIM_HORIZON',
      ...(options.checkpointDir ? { checkpointFile: path.join(options.checkpointDir, `${spec.name}.json`) } : {}),
      onError: options.onError,
    });
  } catch (e) {
    s3.destroy();
    throw e;
  }
  return {
    mapping,
    stop: async () => {
      await mapping.stop();
      s3.destroy();
    },
  };
}
