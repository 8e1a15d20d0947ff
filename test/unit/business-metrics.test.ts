/**
 * The catalog of business metrics (functions/shared/business-metrics.ts) is the one list the dashboard charts: every
 * metric in it is counted somewhere in the functions, and by functions of the context it names as its `service`, so
 * the `service` dimension a chart asks for is the one the function's POWERTOOLS_SERVICE_NAME gives in AWS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { BUSINESS_METRICS, type BusinessMetricKey } from '../../functions/shared/business-metrics';
import { streamConsumers } from '../../lib/stream-consumers';
import { routes } from '../../lib/routes';
import { orderSaga } from '../../lib/saga';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The functions that count each metric, by handler module. */
const EMITTERS: Record<BusinessMetricKey, string[]> = {
  ordersPlaced: ['functions/orders/handlers/place-order.ts'],
  ordersConfirmed: ['functions/orders/handlers/saga/confirm-order.ts'],
  ordersCancelled: ['functions/orders/handlers/saga/cancel-order.ts'],
  paymentDeclines: ['functions/payments/handlers/saga/charge-payment.ts'],
  sagaDuration: ['functions/orders/handlers/saga/confirm-order.ts', 'functions/orders/handlers/saga/cancel-order.ts'],
  compensationsRun: ['functions/orders/handlers/saga/cancel-order.ts'],
  searchQueries: ['functions/search/handlers/search.ts'],
  zeroResultSearches: ['functions/search/handlers/search.ts'],
  recommendationFallbacks: ['functions/recommendations/handlers/get-recommendations.ts'],
  eventsAccepted: ['functions/analytics/handlers/put-events.ts'],
  warehouseRowsLoaded: [
    'functions/analytics/handlers/load-orders-stream.ts',
    'functions/analytics/handlers/load-inventory-stream.ts',
    'functions/analytics/handlers/load-products-stream.ts',
    'functions/analytics/handlers/load-clickstream.ts',
  ],
};

const definitions = [...routes, ...orderSaga.tasks, ...streamConsumers];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
const functionSources = sources(path.join(root, 'functions'))
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');

describe('the business metrics catalog', () => {
  it.each(Object.keys(BUSINESS_METRICS) as BusinessMetricKey[])('%s is counted by the functions', (key) => {
    expect(functionSources).toMatch(new RegExp(`\\.record\\(\\s*'${key}'`));
  });

  it.each(Object.entries(EMITTERS))('%s is counted by functions of the service the catalog names', (key, handlers) => {
    const service = BUSINESS_METRICS[key as BusinessMetricKey].service;
    for (const handler of handlers) {
      const definition = definitions.find((d) => d.handler === handler);
      expect([handler, definition?.context]).toEqual([handler, service]);
    }
  });
});
