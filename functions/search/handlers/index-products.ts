import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { batchResponse, EventType } from '../../shared/batch-response';
import { logger } from '../../shared/observability';
import { actionFromStreamRecord, describeStreamRecord } from '../adapters/products-stream';
import { indexRecords } from '../domain/indexing';
import { ensureProductsIndex } from '../domain/reindex';
import { liveIndexerDeps } from '../index-deps';
import type { ProductIndexAdmin } from '../ports';

/**
 * The products table's stream → the products index (ReportBatchItemFailures): one `_bulk` per batch, ACTIVE
 * products indexed and others deleted at their version (domain/indexing.ts). The first batch of a container
 * makes sure the alias exists, so no write ever lands in an index OpenSearch would create with dynamic mappings.
 */
export const makeHandler = (deps: { index: ProductIndexAdmin }) => {
  let ensured: Promise<unknown> | undefined;
  const ensureIndex = () =>
    (ensured ??= ensureProductsIndex(deps.index).catch((error: unknown) => {
      ensured = undefined;
      throw error;
    }));
  return middy<DynamoDBStreamEvent, PartialItemFailureResponse, Error, Context>(
    async (event: DynamoDBStreamEvent, context: Context) => {
      await ensureIndex();
      const { failures, summary } = await indexRecords(event.Records, actionFromStreamRecord, deps.index);
      for (const [record, error] of failures)
        logger.warn('product not indexed', { record: describeStreamRecord(record), error });
      logger.info('batch indexed', { records: event.Records.length, ...summary });
      return batchResponse(event, (record: DynamoDBRecord) => failures.get(record), {
        eventType: EventType.DynamoDBStreams,
        context,
      });
    },
  ).use(injectLambdaContext(logger, { resetKeys: true }));
};

export const handler = makeHandler(liveIndexerDeps());
