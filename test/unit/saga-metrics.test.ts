/**
 * What the saga's closing steps count: a confirmation and a cancellation (by reason) once each, however often Step
 * Functions delivers the step, with the saga's duration from the order's placement, and the compensations before a
 * cancellation that undid something.
 */
import { describe, expect, it } from '@jest/globals';
import { cancelOrder, confirmOrder } from '../../functions/orders/domain/saga-steps';
import type { OrderRepository } from '../../functions/orders/ports';
import type { Order } from '../../functions/orders/schemas';
import { recordingMetrics } from '../support/recording-metrics';

const placedAt = '2026-03-01T10:00:00.000Z';
const clock = { now: () => new Date('2026-03-01T10:00:02.500Z') };

/** One order, held as the repository would: confirm and cancel change it once, then report it already done. */
function oneOrder() {
  const order = {
    orderId: 'o-1',
    userId: 'u-1',
    status: 'PENDING',
    items: [{ productId: 'p-1', quantity: 1 }],
    createdAt: placedAt,
  } as unknown as Order;
  const orders = {
    get: async () => order,
    confirm: async () => {
      if (order.status === 'CONFIRMED') return 'already-confirmed';
      order.status = 'CONFIRMED';
      return 'confirmed';
    },
    cancel: async () => {
      if (order.status === 'CANCELLED') return 'already-cancelled';
      order.status = 'CANCELLED';
      return 'cancelled';
    },
  } as unknown as OrderRepository;
  return { order, orders };
}

describe('the saga steps count', () => {
  it('a confirmation once, with the time from placement, though the step is delivered twice', async () => {
    const { orders } = oneOrder();
    const metrics = recordingMetrics();
    const deps = {
      orders,
      payments: { chargeOf: async () => ({ chargeId: 'ch-1', amount: 100, currency: 'GBP' }) },
      carts: { removeLines: async () => undefined } as never,
      clock,
      warn: () => undefined,
      metrics,
    };
    await confirmOrder({ orderId: 'o-1', charge: { chargeId: 'ch-1' } }, deps);
    await confirmOrder({ orderId: 'o-1', charge: { chargeId: 'ch-1' } }, deps);
    expect(metrics.recorded).toEqual([
      { metric: 'ordersConfirmed', value: 1 },
      { metric: 'sagaDuration', value: 2500 },
    ]);
  });

  it('a cancellation once, by its reason, with the compensations that undid something', async () => {
    const { orders } = oneOrder();
    const metrics = recordingMetrics();
    const deps = { orders, payments: { statusOf: async () => ({ status: 'REFUNDED' as const }) }, clock, metrics };
    const state = {
      orderId: 'o-1',
      failureReason: 'RESERVATION_EXPIRED' as const,
      refund: { refunded: true },
      release: { released: false },
    };
    await cancelOrder(state, deps);
    await cancelOrder(state, deps);
    expect(metrics.recorded).toEqual([
      { metric: 'ordersCancelled', value: 1, dimension: 'RESERVATION_EXPIRED' },
      { metric: 'compensationsRun', value: 1 },
      { metric: 'sagaDuration', value: 2500 },
    ]);
  });

  it('no compensation when none undid anything, and INTERNAL when the state names no reason', async () => {
    const { orders } = oneOrder();
    const metrics = recordingMetrics();
    await cancelOrder(
      { orderId: 'o-1' },
      { orders, payments: { statusOf: async () => ({ status: 'NONE' as const }) }, clock, metrics },
    );
    expect(metrics.recorded.map((r) => [r.metric, r.dimension])).toEqual([
      ['ordersCancelled', 'INTERNAL'],
      ['sagaDuration', undefined],
    ]);
  });
});
