/**
 * The local SES: the registry's `aws-ses-v2-local` (the SES v2 SendEmail API the notifications send through, and a
 * web inbox of what was sent) in this process, on SES_PORT. Its mail lives in memory: a restart empties the inbox.
 * The functions find it through AWS_ENDPOINT_URL_SESV2, and send from SES_FROM_ADDRESS as in AWS.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOTIFICATIONS_ENV } from '../../../functions/notifications/env';
import { assertPortFree } from '../emulators';

/** CommonJS whose default export ESM would see as `.default.default`. */
const { default: startSesServer } = createRequire(import.meta.url)(
  'aws-ses-v2-local',
) as typeof import('aws-ses-v2-local');

/** The sender the local e-mails come from (example.com is reserved: nothing real is ever written to). */
export const LOCAL_SENDER = 'orders@ecicomm.example.com';

export interface LocalSes {
  endpoint: string;
  /** The web inbox (the same origin; its e-mails as JSON at `/store`). */
  inboxUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalSes(options: { port: number }): Promise<LocalSes> {
  // The library listens without an error handler: a port in use would end the process instead of failing here.
  if (options.port !== 0) await assertPortFree(options.port, 'SES (aws-ses-v2-local)');
  const server: Server = await startSesServer({ host: '127.0.0.1', port: options.port });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    inboxUrl: `${endpoint}/`,
    env: { AWS_ENDPOINT_URL_SESV2: endpoint, [NOTIFICATIONS_ENV.from]: LOCAL_SENDER },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
