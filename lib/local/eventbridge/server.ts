/**
 * A local Amazon EventBridge: the part of the AWS JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Action>`) the
 * platform and its tools use, for @aws-sdk/client-eventbridge — buses, rules with event patterns (./pattern),
 * Lambda and SQS targets with retries and dead-letter queues (./delivery.ts), archives and replays
 * (./actions/archives.ts, ./actions/replays.ts), and TestEventPattern. Requests must be signed (SigV4, service `events`) with the
 * platform's per-run credentials. With a data directory, rules and archived events outlive a restart (./store.ts).
 *
 * Not emulated: scheduled rules (the platform's timers run schedules), input transformers, API destinations,
 * cross-account and cross-region targets, resource policies, partner and global endpoints.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCredentials } from '../guard/sigv4';
import { awsJsonProtocol } from '../http/aws-json';
import { archiveActions } from './actions/archives';
import { busActions } from './actions/buses';
import { replayActions } from './actions/replays';
import { eventActions } from './actions/events';
import { ruleActions } from './actions/rules';
import { arnsFor } from './arns';
import type { ActionContext } from './context';
import type { DeliveryStats, TargetInvokers } from './delivery';
import { Router } from './routing';
import { EventBridgeStore } from './store';

export type { TargetInvokers } from './delivery';

export interface EventBridgeEmulatorOptions {
  port: number;
  region: string;
  credentials: LocalCredentials;
  invokers: TargetInvokers;
  /** Where rules and archives are kept; in memory without one. */
  dataDir?: string;
  /** The first retry of a failed delivery (default 1 s); each next one waits twice as long, up to `maxRetryDelayMs`. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
  onDeliveryError?: (error: unknown, target: string) => void;
}

export interface EventBridgeEmulator {
  endpoint: string;
  stats: DeliveryStats;
  /** Resolves once every delivery started so far has settled (delivered, dead-lettered or dropped). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Far above PutEvents' 256 KiB of entries; anything larger is refused (413) and not read. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export const eventBridgeProtocol = awsJsonProtocol({
  title: 'local EventBridge',
  signingName: 'events',
  jsonVersion: '1.1',
  targetPrefix: 'AWSEvents',
  maxRequestBytes: MAX_REQUEST_BYTES,
});

export async function startEventBridgeEmulator(options: EventBridgeEmulatorOptions): Promise<EventBridgeEmulator> {
  const store = new EventBridgeStore(options.dataDir);
  const arns = arnsFor(options.region);
  const now = () => Date.now();
  const router = new Router(
    store,
    {
      invokers: options.invokers,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      now,
      onDeadLetterFailure: (e, target) => options.onDeliveryError?.(e, target.Arn),
    },
    arns.bus,
  );
  const context: ActionContext = { store, router, arns, region: options.region, now };
  const actions = Object.fromEntries(
    Object.entries({ ...eventActions, ...ruleActions, ...busActions, ...archiveActions, ...replayActions }).map(
      ([name, action]) => [name, (body: Record<string, unknown>) => action(body, context)],
    ),
  );
  const server: Server = await eventBridgeProtocol.listen(options.port, actions, options.credentials);
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: router.stats,
    idle: () => router.idle(),
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
