import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '../../shared/observability';
import { livePurchaseRecords } from '../deps';
import { recordPurchaseEvent, type PurchaseRecords } from '../domain/purchases';

/**
 * The recordPurchases rule's target (lib/events.ts): an orders event → the shopper's purchase history. A failure
 * (the table unreachable, a detail off its schema) is thrown: EventBridge and Lambda retry it, then it waits in the
 * rule's dead-letter queue.
 */
export const makeHandler = (records: PurchaseRecords) =>
  middy(async (event: EventBridgeEvent<string, unknown>) => {
    const change = await recordPurchaseEvent({ detailType: event['detail-type'], detail: event.detail }, records);
    logger.debug('purchase recorded', { eventId: event.id, kind: change.kind, orderId: change.orderId });
  }).use(injectLambdaContext(logger, { resetKeys: true }));

export const handler = makeHandler(livePurchaseRecords());
