/**
 * Kinesis on the local substrate: kinesalite in this process, its data under LOCAL_DATA_DIR/kinesis
 * (leveldown) when persisting and in memory otherwise, with the platform's streams (lib/streams.ts)
 * created as CDK would deploy them.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { streams, type StreamKey } from '../streams';
import { useNativeSequenceArithmetic } from './kinesalite-sequences';

export interface LocalKinesis {
  endpoint: string;
  /** Physical stream names by key. */
  streamNames: Record<StreamKey, string>;
  /** AWS_ENDPOINT_URL_KINESIS and each stream's variable, as the handlers read them. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A client of the local Kinesis; HTTP/1.1, since kinesalite speaks no HTTP/2. */
export const localKinesisClient = (
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
) => new KinesisClient({ region, endpoint, credentials, requestHandler: new NodeHttpHandler() });

export async function startLocalKinesis(options: {
  port: number;
  region: string;
  prefix: string;
  /** Where to keep the data; in memory when undefined. */
  dataDir?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<LocalKinesis> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  useNativeSequenceArithmetic();
  const server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    // kinesalite's default account limit is 10 shards; the platform's own streams take 3 of them, and tests that
    // make streams of their own on the same emulator need the rest and more. Real accounts allow far more.
    shardLimit: 100,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      // Closing also closes the store (leveldown's lock on the directory).
      server.close(() => resolve());
    });
  const client = localKinesisClient(endpoint, options.region, options.credentials);
  try {
    const streamNames = {} as Record<StreamKey, string>;
    for (const [key, spec] of Object.entries(streams) as [StreamKey, (typeof streams)[StreamKey]][]) {
      const StreamName = `${options.prefix}-${spec.name}`;
      streamNames[key] = StreamName;
      await ensureStream(client, StreamName, spec.localShards);
    }
    const env: Record<string, string> = { AWS_ENDPOINT_URL_KINESIS: endpoint };
    for (const [key, spec] of Object.entries(streams) as [StreamKey, (typeof streams)[StreamKey]][])
      env[spec.envVar] = streamNames[key];
    return { endpoint, streamNames, env, stop };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    client.destroy();
  }
}

/** Creates the stream unless it exists (a persisted one survives restarts), and waits until it is ACTIVE. */
async function ensureStream(client: KinesisClient, StreamName: string, ShardCount: number) {
  try {
    await client.send(new CreateStreamCommand({ StreamName, ShardCount }));
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  for (let i = 0; i < 200; i++) {
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`Local Kinesis stream ${StreamName} did not become ACTIVE`);
}
