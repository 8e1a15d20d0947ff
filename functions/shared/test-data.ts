import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * Test data never reaches the analysts' figures. A replayed fixture (`npm run replay`) carries
 * `testData: true` on what it writes — the items a saga fixture needs, the stream records it hands to a
 * consumer, and, through the request it replays, the orders, products, stock and clicks a route stores — and
 * every analytics loader maps such a record to no rows: in AWS as locally, since the rule lives in the loaders.
 *
 * Real data never carries the attribute. A request can ask for it only in its requestContext, which API
 * Gateway (and the local edge) builds itself: no client can set it, only a caller allowed to invoke the
 * function directly (an operator replaying a fixture). The request schemas are strict and items are built by
 * the domain, never spread from a request, so no real order, product, stock level or click is ever skipped.
 * `npm run replay -- --into-analytics` replays without the mark, for when the figures are the point.
 */
export const TEST_DATA_ATTRIBUTE = 'testData';

/** Whether an item, an image or a clickstream event is marked as test data (exactly `true`, nothing looser). */
export const isTestData = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>)[TEST_DATA_ATTRIBUTE] === true;

/** Whether a request is a replayed fixture's, marked in the requestContext only a direct invocation can set. */
export const isTestRequest = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): boolean =>
  isTestData(event.requestContext);

/** The attribute to spread into an item written for a test request: nothing for real data. */
export const testDataMark = (testData: boolean | undefined): { testData?: true } =>
  testData ? { testData: true } : {};
