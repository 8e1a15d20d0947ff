import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { traced } from './tracing';

let kinesis: KinesisClient | undefined;

/**
 * The Kinesis client, one per container, made on first use. It speaks HTTP/1.1 (NodeHttpHandler) in both substrates:
 * the SDK's Kinesis default is HTTP/2, which only SubscribeToShard needs and which kinesalite cannot speak; PutRecords
 * and the other request/response calls work over HTTP/1.1 against real Kinesis just as well, so one client setup
 * serves AWS and the local emulator alike.
 */
export function kinesisClient(): KinesisClient {
  kinesis ??= traced(
    new KinesisClient({
      maxAttempts: 3,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
    }),
  );
  return kinesis;
}
