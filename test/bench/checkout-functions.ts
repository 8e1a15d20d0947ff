/**
 * The checkout's DynamoDB requests by the function that sent them: the order's own path (POST /v1/orders and the
 * saga's steps, which the shopper waits for) apart from what reacts to it afterwards (stream consumers, the
 * event bus's targets), which runs beside the next orders and adds to the count without adding to their latency.
 */
import { orderSaga } from '../../lib/saga';
import type { DynamoCounts } from './child-ipc';
import type { Table } from './report';
import { round } from './stats';

/** The functions an order's POST → CONFIRMED goes through. */
export const ORDER_PATH = new Set(['placeOrder', ...orderSaga.tasks.map((t) => t.id)]);

export function requestsByPath(counts: Pick<DynamoCounts, 'byFunction'>, confirmed: number) {
  const per = (n: number) => n / Math.max(1, confirmed);
  const byFunction = Object.entries(counts.byFunction ?? {}).sort((a, b) => b[1] - a[1]);
  const sum = (keep: (id: string) => boolean) =>
    per(byFunction.filter(([id]) => keep(id)).reduce((n, [, count]) => n + count, 0));
  return {
    byFunction: byFunction.map(([id, count]) => ({ id, perOrder: per(count), orderPath: ORDER_PATH.has(id) })),
    orderPath: sum((id) => ORDER_PATH.has(id)),
    downstream: sum((id) => !ORDER_PATH.has(id)),
  };
}

export function byFunctionTable(counts: Pick<DynamoCounts, 'byFunction'>, confirmed: number): Table {
  const { byFunction, orderPath, downstream } = requestsByPath(counts, confirmed);
  return {
    title: `DynamoDB requests per confirmed order, by the function that sent them (${confirmed} confirmed orders)`,
    columns: ['function', 'part', 'per order'],
    rows: [
      ...byFunction.map((f) => [f.id, f.orderPath ? 'order path' : 'downstream', round(f.perOrder, 2)]),
      ['order path (POST /v1/orders and the saga steps)', '', round(orderPath, 2)],
      ['downstream (stream consumers, bus targets, platform)', '', round(downstream, 2)],
      ['total', '', round(orderPath + downstream, 2)],
    ],
  };
}
