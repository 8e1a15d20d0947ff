/**
 * The local EventBridge as the platform runs it: the emulator with its data under LOCAL_DATA_DIR/eventbridge, the
 * domain events bus and its archive (lib/events.ts) created as CDK would deploy them, and targets reached the way
 * the platform reaches them — a Lambda target is the function of that id run in this process (the same module
 * instance the Invoke API serves), an SQS target a queue of the local SQS — and the rules of lib/events.ts put on
 * the bus with their functions as targets (./platform-rules.ts).
 */
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_ARCHIVE, EVENT_BUS_NAME, EVENTS_ENV, eventRules, type EventRule } from '../../events';
import type { LocalCredentials } from '../guard/sigv4';
import { localInvoker } from '../lambda/local-invoker';
import { invocableFunctions } from '../lambda/platform-functions';
import { putPlatformRules } from './platform-rules';
import { startEventBridgeEmulator, type EventBridgeEmulator, type TargetInvokers } from './server';
import { EVENTBRIDGE_ACCOUNT_ID } from './types';

export interface LocalEventBus extends EventBridgeEmulator {
  busName: string;
  /** AWS_ENDPOINT_URL_EVENTBRIDGE and EVENT_BUS_NAME, as the publishers read them. */
  env: Record<string, string>;
}

function platformInvokers(
  projectRoot: string,
  sqs: SQSClient,
  sqsEndpoint: string,
  rules: readonly EventRule[],
): TargetInvokers {
  const specs = [...invocableFunctions(), ...rules.map((rule) => rule.target)];
  const functions = new Map(specs.map((spec) => [spec.id, localInvoker(projectRoot, spec)]));
  return {
    async lambda(name, payload) {
      const run = functions.get(name);
      if (!run) throw new Error(`Function not found: ${name}`);
      await run(payload);
    },
    async sqs(queueArn, body, attributes = {}) {
      const QueueUrl = `${sqsEndpoint}/${EVENTBRIDGE_ACCOUNT_ID}/${queueArn.split(':').pop()}`;
      const MessageAttributes = Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes }));
    },
  };
}

export async function startLocalEventBus(options: {
  port: number;
  region: string;
  credentials: LocalCredentials;
  projectRoot: string;
  sqsEndpoint: string;
  dataDir?: string;
  /** The rules put on the bus (lib/events.ts by default). */
  rules?: readonly EventRule[];
  /** The first retry of a failed delivery (1 s by default, as the emulator's). */
  retryBaseDelayMs?: number;
  onDeliveryError?: (error: unknown, target: string) => void;
}): Promise<LocalEventBus> {
  const { region, credentials } = options;
  const rules = options.rules ?? eventRules;
  const sqs = new SQSClient({ region, endpoint: options.sqsEndpoint, credentials });
  const emulator = await startEventBridgeEmulator({
    ...options,
    invokers: platformInvokers(options.projectRoot, sqs, options.sqsEndpoint, rules),
  });
  const client = new EventBridgeClient({ region, endpoint: emulator.endpoint, credentials });
  try {
    const { EventBusArn } = await ignoreExisting(client.send(new CreateEventBusCommand({ Name: EVENT_BUS_NAME })));
    const busArn = EventBusArn ?? `arn:aws:events:${region}:${EVENTBRIDGE_ACCOUNT_ID}:event-bus/${EVENT_BUS_NAME}`;
    await ignoreExisting(
      client.send(
        new CreateArchiveCommand({
          ArchiveName: EVENT_ARCHIVE.name,
          EventSourceArn: busArn,
          RetentionDays: EVENT_ARCHIVE.retentionDays,
        }),
      ),
    );
    await putPlatformRules({ events: client, sqs }, { busName: EVENT_BUS_NAME, region, rules });
  } catch (e) {
    await emulator.stop();
    sqs.destroy();
    throw e;
  } finally {
    client.destroy();
  }
  return {
    ...emulator,
    busName: EVENT_BUS_NAME,
    env: { AWS_ENDPOINT_URL_EVENTBRIDGE: emulator.endpoint, [EVENTS_ENV.bus]: EVENT_BUS_NAME },
    async stop() {
      await emulator.stop();
      sqs.destroy();
    },
  };
}

/** A persisted bus or archive is there from the last start. */
async function ignoreExisting<T>(request: Promise<T>): Promise<Partial<T>> {
  try {
    return await request;
  } catch (e) {
    if (e instanceof ResourceAlreadyExistsException) return {};
    throw e;
  }
}
