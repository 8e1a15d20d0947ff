import { EventType } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { flushMetrics, logger } from '../../shared/observability';
import {
  loadInventorySnapshots,
  loadSalesFacts,
  loadUserBehavior,
  upsertProductDims,
  type InventorySnapshotRow,
  type ProductDimRow,
  type SalesFactRow,
  type UserBehaviorRow,
} from '../domain/load';
import type { LoaderDeps } from '../ports';
import { makeStreamBatchHandler, type StreamLoader } from './stream-batch';
import { userBehaviorRowsFromKinesisRecord } from '../adapters/clickstream-records';
import { inventorySnapshotFromStreamRecord } from '../adapters/inventory-stream-records';
import { orderLoadFromStreamRecord } from '../adapters/orders-stream-records';
import { productDimFromStreamRecord } from '../adapters/products-stream-records';

export type { LoaderDeps } from '../ports';

const describeStreamRecord = (record: DynamoDBRecord) =>
  `${record.eventID ?? '?'} (seq ${record.dynamodb?.SequenceNumber ?? '?'})`;

export const ordersStreamLoader: StreamLoader<DynamoDBRecord, SalesFactRow> = {
  eventType: EventType.DynamoDBStreams,
  map: (record) => orderLoadFromStreamRecord(record).rows,
  load: (warehouse, rows) => loadSalesFacts(warehouse, rows),
  describe: describeStreamRecord,
};

export const inventoryStreamLoader: StreamLoader<DynamoDBRecord, InventorySnapshotRow> = {
  eventType: EventType.DynamoDBStreams,
  map: inventorySnapshotFromStreamRecord,
  load: (warehouse, rows) => loadInventorySnapshots(warehouse, rows),
  describe: describeStreamRecord,
};

export const productsStreamLoader: StreamLoader<DynamoDBRecord, ProductDimRow> = {
  eventType: EventType.DynamoDBStreams,
  map: productDimFromStreamRecord,
  load: (warehouse, rows) => upsertProductDims(warehouse, rows),
  describe: describeStreamRecord,
};

export const clickstreamLoader: StreamLoader<KinesisStreamRecord, UserBehaviorRow> = {
  eventType: EventType.KinesisDataStreams,
  map: userBehaviorRowsFromKinesisRecord,
  load: (warehouse, rows) => loadUserBehavior(warehouse, rows),
  describe: (record) => `${record.eventID ?? '?'} (seq ${record.kinesis?.sequenceNumber ?? '?'})`,
};

/** The orders table's stream → sales_facts (SALE on confirmation, REFUND on a refunded cancellation). */
export const makeOrdersStreamHandler = (deps: LoaderDeps) =>
  middy<DynamoDBStreamEvent, PartialItemFailureResponse, Error, Context>(
    makeStreamBatchHandler(ordersStreamLoader, deps),
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics());

/** The inventory table's stream → inventory_snapshots (one per change of a product's stock). */
export const makeInventoryStreamHandler = (deps: LoaderDeps) =>
  middy<DynamoDBStreamEvent, PartialItemFailureResponse, Error, Context>(
    makeStreamBatchHandler(inventoryStreamLoader, deps),
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics());

/** The products table's stream → dim_products (the newest image of each product). */
export const makeProductsStreamHandler = (deps: LoaderDeps) =>
  middy<DynamoDBStreamEvent, PartialItemFailureResponse, Error, Context>(
    makeStreamBatchHandler(productsStreamLoader, deps),
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics());

/** The Kinesis clickstream → user_behavior. */
export const makeClickstreamHandler = (deps: LoaderDeps) =>
  middy<KinesisStreamEvent, PartialItemFailureResponse, Error, Context>(makeStreamBatchHandler(clickstreamLoader, deps))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics());
