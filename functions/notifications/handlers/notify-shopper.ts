import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { dynamoClient } from '../../shared/dynamo-client';
import { logger } from '../../shared/observability';
import { liveNotificationsDeps, loadNotificationsEnv } from '../deps';
import { NOTIFICATION_KEY_PREFIX } from '../env';
import { notifyShopper } from '../domain/notify';
import type { NotificationsDeps } from '../ports';
import { NotifiableEvent, type NotificationOutcome } from '../schemas';

/**
 * Longer than the bus's archive keeps events (30 days): a replay of the archive, like a redelivery, finds the
 * first outcome and sends nothing again.
 */
const REMEMBERED_SECONDS = 31 * 24 * 60 * 60;

interface Notification {
  /** One e-mail per order and event type, whatever the event's id (a replay or a republished change has another). */
  key: string;
  event: NotifiableEvent;
}

/**
 * The `notifyShopper` rule's target (lib/events.ts): OrderConfirmed and OrderCancelled → the shopper's e-mail, once.
 * Powertools idempotency keeps each outcome (sent or skipped) in the idempotency table; a failure keeps nothing, so
 * the retry sends. An event that does not parse fails, and after the retries waits in the rule's dead-letter queue.
 */
export const makeHandler = (deps: NotificationsDeps, persistenceStore: DynamoDBPersistenceLayer) => {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: REMEMBERED_SECONDS });
  const notifyOnce = makeIdempotent(
    async (notification: Notification): Promise<NotificationOutcome> => notifyShopper(notification.event, deps),
    { persistenceStore, config, keyPrefix: NOTIFICATION_KEY_PREFIX },
  );
  return middy<unknown, NotificationOutcome, Error, Context>(async (input: unknown, context: Context) => {
    const event = NotifiableEvent.parse(input);
    config.registerLambdaContext(context);
    return notifyOnce({ key: `${event.detail.orderId}:${event['detail-type']}`, event });
  }).use(injectLambdaContext(logger, { resetKeys: true }));
};

const env = loadNotificationsEnv();
export const handler = makeHandler(
  liveNotificationsDeps(env),
  new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE, awsSdkV3Client: dynamoClient() }),
);
