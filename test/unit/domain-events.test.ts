/**
 * The domain events (functions/events): the catalog covers every event and its examples pass their schemas,
 * docs/EVENTS.md is what the catalog renders, and the mapping from a table's change to events publishes what each
 * event's "when" says — no more (a write without a new version, a status that did not change, test data), no less.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { EVENT_CATALOG } from '../../functions/events/catalog';
import { inventoryEvents, orderEvents, productEvents, userEvents } from '../../functions/events/domain/from-stream';
import { DETAIL_SCHEMAS } from '../../functions/events/schemas';
import { EVENTS_DOC, renderEventCatalog } from '../../lib/events-catalog';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const AT = '2026-12-07T09:00:00.000Z';
const product = {
  id: 'p-1',
  sku: 'SKU1',
  name: 'Lamp',
  description: 'd',
  category: 'lighting',
  brand: 'b',
  price: 1000,
  currency: 'GBP',
  imageUrls: [],
  attributes: {},
  status: 'ACTIVE',
  version: 1,
  createdAt: AT,
  updatedAt: AT,
};
const line = { productId: 'p-1', name: 'Lamp', quantity: 2, unitPrice: 1000, lineTotal: 2000 };
const order = {
  orderId: 'o-1',
  userId: 'u-1',
  status: 'PENDING',
  items: [line],
  subtotal: 2000,
  discount: 0,
  tax: 400,
  shipping: 0,
  total: 2400,
  currency: 'GBP',
  shippingAddress: { name: 'Ada', line1: '1 Road', city: 'London', postalCode: 'N1 1AA', country: 'GB' },
  payment: { status: 'NONE' },
  history: [],
  createdAt: AT,
  updatedAt: AT,
};
const kinds = (events: { detailType: string }[]) => events.map((e) => e.detailType);

describe('the event catalog', () => {
  it('lists every event with an example that passes its schema', () => {
    expect(Object.keys(EVENT_CATALOG).sort()).toEqual(Object.keys(DETAIL_SCHEMAS).sort());
    for (const entry of Object.values(EVENT_CATALOG))
      expect(DETAIL_SCHEMAS[entry.detailType].safeParse(entry.example).success).toBe(true);
  });

  it('is what docs/EVENTS.md holds (npm run events:catalog writes it)', () => {
    expect(readFileSync(path.join(projectRoot, EVENTS_DOC), 'utf8')).toBe(renderEventCatalog());
  });
});

describe('events from the products table', () => {
  it('publishes ProductCreated on insert, ProductChanged with the fields that changed, ProductDeactivated on deactivation', () => {
    expect(kinds(productEvents({ eventName: 'INSERT', newImage: product }))).toEqual(['ProductCreated']);
    const repriced = productEvents({
      eventName: 'MODIFY',
      oldImage: product,
      newImage: { ...product, price: 900, version: 2 },
    });
    expect(repriced).toEqual([
      expect.objectContaining({
        detailType: 'ProductChanged',
        detail: expect.objectContaining({ changedFields: ['price'], price: 900 }),
      }),
    ]);
    const off = productEvents({
      eventName: 'MODIFY',
      oldImage: product,
      newImage: { ...product, status: 'INACTIVE', version: 2 },
    });
    expect(kinds(off)).toEqual(['ProductDeactivated']);
  });

  it('publishes nothing for a write without a new version, a removal or test data', () => {
    expect(productEvents({ eventName: 'MODIFY', oldImage: product, newImage: { ...product, popularity: 5 } })).toEqual(
      [],
    );
    expect(productEvents({ eventName: 'REMOVE', oldImage: product })).toEqual([]);
    expect(productEvents({ eventName: 'INSERT', newImage: { ...product, testData: true } })).toEqual([]);
  });
});

describe('events from the orders table', () => {
  it('publishes OrderPlaced, then OrderConfirmed with lines, totals and address, or OrderCancelled with why and the money', () => {
    expect(kinds(orderEvents({ eventName: 'INSERT', newImage: order }))).toEqual(['OrderPlaced']);
    const confirmed = { ...order, status: 'CONFIRMED', payment: { status: 'CHARGED', chargeId: 'ch_1' } };
    expect(orderEvents({ eventName: 'MODIFY', oldImage: order, newImage: confirmed })).toEqual([
      {
        source: 'ecicomm.orders',
        detailType: 'OrderConfirmed',
        detail: expect.objectContaining({
          orderId: 'o-1',
          items: [line],
          total: 2400,
          shippingAddress: order.shippingAddress,
          chargeId: 'ch_1',
        }),
      },
    ]);
    const declined = {
      ...order,
      status: 'CANCELLED',
      failureReason: 'PAYMENT_DECLINED',
      payment: { status: 'DECLINED' },
    };
    expect(orderEvents({ eventName: 'MODIFY', oldImage: order, newImage: declined })).toEqual([
      expect.objectContaining({
        detailType: 'OrderCancelled',
        detail: expect.objectContaining({ failureReason: 'PAYMENT_DECLINED', paymentStatus: 'DECLINED' }),
      }),
    ]);
  });

  it('publishes nothing when the status did not change, nor for a fixture order', () => {
    expect(
      orderEvents({
        eventName: 'MODIFY',
        oldImage: order,
        newImage: { ...order, updatedAt: '2026-12-07T09:00:01.000Z' },
      }),
    ).toEqual([]);
    expect(orderEvents({ eventName: 'INSERT', newImage: { ...order, testData: true } })).toEqual([]);
  });
});

describe('events from the inventory and users tables', () => {
  const rules = { stockLowThreshold: 5 };
  const stock = (available: number) => ({ productId: 'p-1', available, reserved: 0 });

  it('publishes StockLow once when stock crosses below the threshold, and again only after it rose above it', () => {
    expect(kinds(inventoryEvents({ eventName: 'MODIFY', oldImage: stock(6), newImage: stock(4) }, rules, AT))).toEqual([
      'StockLow',
    ]);
    expect(inventoryEvents({ eventName: 'MODIFY', oldImage: stock(4), newImage: stock(3) }, rules, AT)).toEqual([]);
    expect(inventoryEvents({ eventName: 'MODIFY', oldImage: stock(4), newImage: stock(20) }, rules, AT)).toEqual([]);
    expect(kinds(inventoryEvents({ eventName: 'INSERT', newImage: stock(2) }, rules, AT))).toEqual(['StockLow']);
  });

  it('publishes UserRegistered on a new profile only', () => {
    const user = { userId: 'u-1', email: 'a@example.com', firstName: 'A', lastName: 'B', createdAt: AT, updatedAt: AT };
    expect(userEvents({ eventName: 'INSERT', newImage: user })).toEqual([
      { source: 'ecicomm.users', detailType: 'UserRegistered', detail: { schemaVersion: 1, userId: 'u-1', at: AT } },
    ]);
    expect(userEvents({ eventName: 'MODIFY', oldImage: user, newImage: { ...user, firstName: 'C' } })).toEqual([]);
  });
});
