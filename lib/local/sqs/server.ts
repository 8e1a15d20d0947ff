/**
 * A local Amazon SQS: an in-process HTTP server speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs v3
 * uses (./protocol.ts), with SQS's error codes (./errors.ts). Standard queues only. The platform keeps the
 * saga's dead-letter queue and the stream consumers' on-failure queues here; with a data file they survive a
 * restart, and a change is on disk before the request that made it is answered (./store.ts).
 *
 * The SDK checks MD5OfMessageBody (SendMessage, SendMessageBatch) and MD5OfBody (ReceiveMessage) itself; it does
 * not check MD5OfMessageAttributes, which this emulator still computes with SQS's algorithm (see
 * `md5OfMessageAttributes`) so that clients that do check it, and code that logs it, see the real value.
 *
 * Not emulated: request signatures (the credential scope is read only for the region and the sender id), FIFO
 * queues, permissions and policies (Policy and RedriveAllowPolicy are stored, not enforced), KMS, message move
 * tasks, the 60-second cool-downs after PurgeQueue and DeleteQueue, and the query (XML) protocol of older SDKs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../emulators';
import { readRequest, responder } from './protocol';
import { QueueStore } from './store';
import type { SqsEmulator, SqsEmulatorOptions } from './types';

export { md5OfMessageAttributes } from './message-attributes';
export { SQS_ACCOUNT_ID } from './types';
export type {
  SqsEmulator,
  SqsEmulatorOptions,
  SqsMessageAttribute,
  SqsMessageSnapshot,
  SqsQueueSnapshot,
} from './types';

const DEFAULT_REGION = 'eu-west-2';

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<SqsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const defaultRegion = options.region ?? DEFAULT_REGION;
  const stopController = new AbortController();
  const store = new QueueStore({ dataFile: options.dataFile, stopping: stopController.signal });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const answer = responder(res, stopController.signal);
    // Aborted when the client hangs up before its answer (a long poll must not take messages then) or on stop.
    const requestController = new AbortController();
    res.once('close', () => requestController.abort());
    const signal = AbortSignal.any([requestController.signal, stopController.signal]);
    try {
      if (stopController.signal.aborted) return answer.unavailable();
      const { action, input, context } = await readRequest(req, { defaultRegion, signal });
      const result = await action(store, input, context);
      store.persistIfChanged();
      answer.ok(result);
    } catch (e) {
      answer.error(e);
    }
  }

  const server = await listen(options.port, host, (req, res) => void handle(req, res));
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  store.endpoint = `http://${urlHost}:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    name: 'sqs',
    endpoint: store.endpoint,
    stop() {
      stopped ??= stop(server, stopController, store, options.dataFile);
      return stopped;
    },
    queues: () => store.snapshot(),
  };
}

async function listen(
  port: number,
  host: string,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server> {
  const server = createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, 'SQS emulator') : e),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Long polls see the abort and answer empty; their connections close after the answer; then the last write. */
async function stop(
  server: Server,
  stopController: AbortController,
  store: QueueStore,
  dataFile: string | undefined,
): Promise<void> {
  stopController.abort();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 2000);
  await closed;
  clearTimeout(force);
  try {
    store.persist();
  } catch (e) {
    console.error(`sqs emulator: could not write ${dataFile}`, e);
  }
}
