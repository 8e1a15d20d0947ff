/**
 * The recommendations context's purchase history (functions/recommendations/domain/purchases.ts), kept from the
 * orders events instead of read from the orders table: on the platform's real purchase-history table, the orders
 * events applied in every order of arrival, each twice, end in the same record; and end to end, an order confirmed
 * and an order declined through the API reach the history through the stream, the bus and the recordPurchases rule.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { DynamoPurchases } from '../../functions/recommendations/adapters/dynamo-purchases';
import type { PurchaseChange } from '../../functions/recommendations/domain/purchases';
import { dynamo, newShopper, platform } from '../support/api';
import { checkout, productWithStock } from '../support/checkout';
import { eventually } from '../support/eventually';

const table = () => platform().tableNames.purchaseHistory;
const purchases = () => new DynamoPurchases(dynamo(), table());
const recordOf = async (orderId: string) =>
  (await dynamo().send(new GetCommand({ TableName: table(), Key: { orderId } }))).Item;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const changes = (orderId: string, userId: string) => ({
  placed: {
    kind: 'placed',
    orderId,
    userId,
    placedAt: '2026-11-01T10:00:00.000Z',
    lines: [{ productId: 'P1', quantity: 2 }],
  } satisfies PurchaseChange,
  confirmed: {
    kind: 'confirmed',
    orderId,
    userId,
    at: '2026-11-01T10:00:05.000Z',
    lines: [{ productId: 'P1', quantity: 2 }],
  } satisfies PurchaseChange,
  cancelled: { kind: 'cancelled', orderId, userId, at: '2026-11-01T10:00:09.000Z' } satisfies PurchaseChange,
});

describe('the purchase history table', () => {
  it('ends in the same record whatever order the events arrive in, each delivered twice', async () => {
    for (const kinds of [
      ...permutations(['placed', 'confirmed'] as const),
      ...permutations(['placed', 'confirmed', 'cancelled'] as const),
    ]) {
      const orderId = `ord_history_${randomUUID()}`;
      const userId = `user-${randomUUID()}`;
      const all = changes(orderId, userId);
      for (const kind of kinds) {
        await purchases().apply(all[kind]);
        await purchases().apply(all[kind]);
      }
      const cancelled = kinds.includes('cancelled');
      expect({ kinds, record: await recordOf(orderId) }).toEqual({
        kinds,
        record: expect.objectContaining({
          orderId,
          userId,
          placedAt: '2026-11-01T10:00:00.000Z',
          status: cancelled ? 'CANCELLED' : 'CONFIRMED',
          lines: [{ productId: 'P1', quantity: 2 }],
        }),
      });
      expect(await purchases().recentLines(userId)).toEqual(
        // The events carry no unit price here: the line has none (a shopper's spend counts it as £0).
        cancelled ? [] : [{ productId: 'P1', quantity: 2, at: '2026-11-01T10:00:00.000Z', orderId }],
      );
    }
  });

  it('answers a shopper newest order first, and only with their own orders', async () => {
    const userId = `user-${randomUUID()}`;
    for (const [day, productId] of [
      ['03', 'C'],
      ['01', 'A'],
      ['02', 'B'],
    ]) {
      const orderId = `ord_history_${randomUUID()}`;
      const placedAt = `2026-11-${day}T00:00:00.000Z`;
      await purchases().apply({ kind: 'placed', orderId, userId, placedAt, lines: [{ productId, quantity: 1 }] });
    }
    expect((await purchases().recentLines(userId)).map((l) => l.productId)).toEqual(['C', 'B', 'A']);
    expect(await purchases().recentLines(`user-${randomUUID()}`)).toEqual([]);
  });
});

describe('orders reach the history through their events', () => {
  it('a confirmed order is kept with its lines, a declined one as cancelled', async () => {
    const shopper = await newShopper();
    const product = await productWithStock(5, 1200);
    const confirmed = await checkout(shopper, { items: [{ productId: product, quantity: 2 }] });
    const declined = await checkout(shopper, {
      items: [{ productId: product, quantity: 1 }],
      paymentToken: 'tok_chargeDeclined',
    });
    expect([confirmed.status, declined.status]).toEqual(['CONFIRMED', 'CANCELLED']);
    await eventually(
      async () => {
        expect(await recordOf(confirmed.orderId)).toMatchObject({
          userId: shopper.userId,
          status: 'CONFIRMED',
          placedAt: confirmed.createdAt,
          lines: [{ productId: product, quantity: 2 }],
        });
        expect(await recordOf(declined.orderId)).toMatchObject({ userId: shopper.userId, status: 'CANCELLED' });
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(await purchases().recentLines(shopper.userId)).toEqual([
      // Each line keeps its order and unit price (pence): a shopper's segment features count orders and spend.
      { productId: product, quantity: 2, at: confirmed.createdAt, orderId: confirmed.orderId, unitPrice: 1200 },
    ]);
  });
});
