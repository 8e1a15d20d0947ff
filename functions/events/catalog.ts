/**
 * The event catalog: for every domain event its source, when it fires, and an example detail (checked against
 * its schema by the tests). `npm run events:catalog` writes docs/EVENTS.md from it, with each schema's JSON Schema.
 */
import type { DetailOf, DetailType } from './schemas';
import { EVENT_SOURCES } from './schemas';

export interface CatalogEntry<T extends DetailType = DetailType> {
  detailType: T;
  source: string;
  /** When it fires, from which table's change. */
  when: string;
  example: DetailOf<T>;
}

const AT = '2026-12-07T10:15:00.000Z';
const LINE = {
  productId: 'p-85123A',
  name: 'White hanging heart T-light holder',
  quantity: 2,
  unitPrice: 295,
  lineTotal: 590,
};
const TOTALS = { subtotal: 590, discount: 0, tax: 118, shipping: 399, total: 1107, currency: 'GBP' };

export const EVENT_CATALOG: { [T in DetailType]: CatalogEntry<T> } = {
  ProductCreated: {
    detailType: 'ProductCreated',
    source: EVENT_SOURCES.catalog,
    when: 'A product is written for the first time (products table INSERT).',
    example: {
      schemaVersion: 1,
      productId: 'p-85123A',
      sku: '85123A',
      name: 'White hanging heart T-light holder',
      category: 'lighting',
      price: 295,
      currency: 'GBP',
      status: 'ACTIVE',
      version: 1,
      at: AT,
    },
  },
  ProductChanged: {
    detailType: 'ProductChanged',
    source: EVENT_SOURCES.catalog,
    when: 'A product gets a new version, other than its deactivation (products table MODIFY); lists the fields that changed.',
    example: {
      schemaVersion: 1,
      productId: 'p-85123A',
      version: 2,
      changedFields: ['price'],
      price: 275,
      currency: 'GBP',
      status: 'ACTIVE',
      at: AT,
    },
  },
  ProductDeactivated: {
    detailType: 'ProductDeactivated',
    source: EVENT_SOURCES.catalog,
    when: 'A product goes from ACTIVE to INACTIVE (products table MODIFY).',
    example: { schemaVersion: 1, productId: 'p-85123A', version: 3, at: AT },
  },
  OrderPlaced: {
    detailType: 'OrderPlaced',
    source: EVENT_SOURCES.orders,
    when: 'An order is accepted, PENDING, before the checkout saga runs (orders table INSERT).',
    example: { schemaVersion: 1, orderId: 'o-1', userId: 'u-1', items: [LINE], ...TOTALS, at: AT },
  },
  OrderConfirmed: {
    detailType: 'OrderConfirmed',
    source: EVENT_SOURCES.orders,
    when: 'The saga confirms an order: stock reserved, payment charged (orders table MODIFY to CONFIRMED).',
    example: {
      schemaVersion: 1,
      orderId: 'o-1',
      userId: 'u-1',
      items: [LINE],
      ...TOTALS,
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James Sq',
        city: 'London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      chargeId: 'ch_1',
      at: AT,
    },
  },
  OrderCancelled: {
    detailType: 'OrderCancelled',
    source: EVENT_SOURCES.orders,
    when: 'The saga cancels an order (orders table MODIFY to CANCELLED), with why and what happened to the money.',
    example: {
      schemaVersion: 1,
      orderId: 'o-2',
      userId: 'u-1',
      failureReason: 'PAYMENT_DECLINED',
      paymentStatus: 'DECLINED',
      total: 1107,
      currency: 'GBP',
      at: AT,
    },
  },
  StockLow: {
    detailType: 'StockLow',
    source: EVENT_SOURCES.inventory,
    when: 'Available stock falls below the threshold (inventory table change); once per crossing.',
    example: { schemaVersion: 1, productId: 'p-85123A', available: 4, threshold: 5, at: AT },
  },
  UserRegistered: {
    detailType: 'UserRegistered',
    source: EVENT_SOURCES.users,
    when: 'A shopper registers (users table INSERT).',
    example: { schemaVersion: 1, userId: 'u-1', at: AT },
  },
};
