/**
 * Test data never reaches the analysts' figures. A replayed fixture (`npm run replay`) carries
 * `testData: true` on the items it writes and on the stream records it hands to a consumer, and every
 * analytics loader maps such a record to no rows — in AWS as locally, since the rule lives in the loaders.
 *
 * Real data never carries the attribute: no handler writes it (the request schemas are strict, and items are
 * built by the domain, never spread from a request), so no real order, product, stock level or click is ever
 * skipped. Only a caller with write access to the tables or the streams (an operator replaying a fixture)
 * can set it. `npm run replay -- --into-analytics` replays without it, for when the figures are the point.
 */
export const TEST_DATA_ATTRIBUTE = 'testData';

/** Whether an item, an image or a clickstream event is marked as test data (exactly `true`, nothing looser). */
export const isTestData = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>)[TEST_DATA_ATTRIBUTE] === true;
