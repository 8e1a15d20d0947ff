import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { batchResponse, EventType } from '../../shared/batch-response';
import { logger } from '../../shared/observability';
import { changeOf } from '../adapters/stream-changes';
import type { PublishingRules } from '../domain/from-stream';
import { publishChanges, type EventsOf } from '../domain/publish';
import type { PublisherDeps } from '../deps';

/**
 * A table's stream → its domain events on the bus (ReportBatchItemFailures): the handlers of the four publishers
 * (publish-*-events.ts) differ only in which mapping of domain/from-stream.ts they run.
 */
export const makePublisherHandler = (eventsOf: (rules: PublishingRules) => EventsOf) => (deps: PublisherDeps) => {
  const mapping = eventsOf(deps.rules);
  return middy<DynamoDBStreamEvent, PartialItemFailureResponse, Error, Context>(
    async (event: DynamoDBStreamEvent, context: Context) => {
      const { failures, unmappable, published } = await publishChanges(
        event.Records.map(changeOf),
        mapping,
        deps.publisher,
      );
      for (const [record, error] of unmappable)
        logger.warn('change not mapped to events', { eventID: record.eventID, error });
      for (const [record, error] of failures) logger.warn('events not published', { eventID: record.eventID, error });
      logger.info('batch published', { records: event.Records.length, published, failed: failures.size });
      return batchResponse(event, (record: DynamoDBRecord) => failures.get(record), {
        eventType: EventType.DynamoDBStreams,
        context,
      });
    },
  ).use(injectLambdaContext(logger, { resetKeys: true }));
};
