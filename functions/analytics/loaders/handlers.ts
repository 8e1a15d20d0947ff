import { EventType } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { logger } from '../../shared/observability';
import { loadSalesFacts, loadUserBehavior, type SalesFactRow, type UserBehaviorRow } from '../warehouse/load';
import type { Warehouse } from '../warehouse/port';
import { makeStreamBatchHandler, type StreamLoader } from './batch-load';
import { userBehaviorFromKinesisRecord } from './clickstream';
import { orderLoadFromStreamRecord } from './orders-stream';

export interface LoaderDeps {
  warehouse: Warehouse;
}

export const ordersStreamLoader: StreamLoader<DynamoDBRecord, SalesFactRow> = {
  eventType: EventType.DynamoDBStreams,
  map: (record) => orderLoadFromStreamRecord(record).rows,
  load: (warehouse, rows) => loadSalesFacts(warehouse, rows),
  describe: (record) => `${record.eventID ?? '?'} (seq ${record.dynamodb?.SequenceNumber ?? '?'})`,
};

export const clickstreamLoader: StreamLoader<KinesisStreamRecord, UserBehaviorRow> = {
  eventType: EventType.KinesisDataStreams,
  map: (record) => [userBehaviorFromKinesisRecord(record)],
  load: (warehouse, rows) => loadUserBehavior(warehouse, rows),
  describe: (record) => `${record.eventID ?? '?'} (seq ${record.kinesis?.sequenceNumber ?? '?'})`,
};

/** The orders table's stream → sales_facts (SALE on confirmation, REFUND on a refunded cancellation). */
export const makeOrdersStreamHandler = (deps: LoaderDeps) =>
  middy<DynamoDBStreamEvent, PartialItemFailureResponse, Error, Context>(makeStreamBatchHandler(ordersStreamLoader, deps)).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );

/** The Kinesis clickstream → user_behavior. */
export const makeClickstreamHandler = (deps: LoaderDeps) =>
  middy<KinesisStreamEvent, PartialItemFailureResponse, Error, Context>(makeStreamBatchHandler(clickstreamLoader, deps)).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
