/**
 * What happened, read from a table's change: the domain events a stream record stands for. Events are derived
 * from the tables' streams, never written by the handlers beside their own write, so an event exists exactly
 * when its change was committed (in AWS the same mapping runs behind the tables' streams; locally a stream
 * consumer runs it). Test data (a replayed fixture's, `testData: true`) is never published: no shopper may be
 * mailed about a fixture's order. Each detail passes its schema before it leaves.
 */
import { isTestData } from '../../shared/test-data';
import { DETAIL_SCHEMAS, EVENT_SOURCES, type DetailType, type DomainEvent } from '../schemas';

export type Image = Record<string, unknown>;

export interface TableChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Image;
  newImage?: Image;
}

export interface PublishingRules {
  /** StockLow fires when available stock falls below this many units. */
  stockLowThreshold: number;
}

/** The fields of a product whose change a ProductChanged lists. */
const PRODUCT_FIELDS = [
  'sku',
  'name',
  'description',
  'category',
  'brand',
  'price',
  'currency',
  'imageUrls',
  'attributes',
  'status',
];

function event<T extends DetailType>(source: DomainEvent['source'], detailType: T, detail: unknown): DomainEvent {
  return { source, detailType, detail: DETAIL_SCHEMAS[detailType].parse(detail) } as DomainEvent;
}

const str = (image: Image, key: string) => image[key] as string;
const num = (image: Image, key: string) => Number(image[key]);
const changed = (before: Image, after: Image, key: string) =>
  JSON.stringify(before[key]) !== JSON.stringify(after[key]);

export function productEvents({ eventName, oldImage, newImage }: TableChange): DomainEvent[] {
  if (!newImage || isTestData(newImage)) return [];
  const common = {
    schemaVersion: 1,
    productId: str(newImage, 'id'),
    version: num(newImage, 'version'),
    at: str(newImage, 'updatedAt'),
  };
  if (eventName === 'INSERT' || !oldImage) {
    const { sku, name, category, price, currency, status } = newImage;
    return [
      event(EVENT_SOURCES.catalog, 'ProductCreated', { ...common, sku, name, category, price, currency, status }),
    ];
  }
  if (num(oldImage, 'version') === num(newImage, 'version')) return [];
  if (oldImage.status === 'ACTIVE' && newImage.status === 'INACTIVE')
    return [event(EVENT_SOURCES.catalog, 'ProductDeactivated', common)];
  const changedFields = PRODUCT_FIELDS.filter((key) => changed(oldImage, newImage, key));
  const { price, currency, status } = newImage;
  return [event(EVENT_SOURCES.catalog, 'ProductChanged', { ...common, changedFields, price, currency, status })];
}

const linesOf = (image: Image) =>
  (image.items as Image[]).map((line) => ({
    productId: str(line, 'productId'),
    name: str(line, 'name'),
    quantity: num(line, 'quantity'),
    unitPrice: num(line, 'unitPrice'),
    lineTotal: num(line, 'lineTotal'),
  }));

const totalsOf = (image: Image) => ({
  subtotal: num(image, 'subtotal'),
  discount: num(image, 'discount'),
  tax: num(image, 'tax'),
  shipping: num(image, 'shipping'),
  total: num(image, 'total'),
  currency: str(image, 'currency'),
});

export function orderEvents({ eventName, oldImage, newImage }: TableChange): DomainEvent[] {
  if (!newImage || isTestData(newImage)) return [];
  const order = {
    schemaVersion: 1,
    orderId: str(newImage, 'orderId'),
    userId: str(newImage, 'userId'),
    at: str(newImage, 'updatedAt'),
  };
  if (eventName === 'INSERT')
    return [event(EVENT_SOURCES.orders, 'OrderPlaced', { ...order, items: linesOf(newImage), ...totalsOf(newImage) })];
  if (oldImage?.status === newImage.status) return [];
  const payment = newImage.payment as { status: string; chargeId?: string } | undefined;
  if (newImage.status === 'CONFIRMED') {
    const details = {
      items: linesOf(newImage),
      ...totalsOf(newImage),
      shippingAddress: newImage.shippingAddress,
      chargeId: payment?.chargeId,
    };
    return [event(EVENT_SOURCES.orders, 'OrderConfirmed', { ...order, ...details })];
  }
  if (newImage.status === 'CANCELLED') {
    const { failureReason } = newImage;
    const cancelled = {
      failureReason,
      paymentStatus: payment?.status ?? 'NONE',
      total: num(newImage, 'total'),
      currency: str(newImage, 'currency'),
    };
    return [event(EVENT_SOURCES.orders, 'OrderCancelled', { ...order, ...cancelled })];
  }
  return [];
}

/** StockLow once, when available stock crosses below the threshold; not again until it has risen above it. */
export function inventoryEvents(
  { oldImage, newImage }: TableChange,
  rules: PublishingRules,
  at: string,
): DomainEvent[] {
  if (!newImage || isTestData(newImage)) return [];
  const available = num(newImage, 'available');
  const before = oldImage ? num(oldImage, 'available') : Infinity;
  if (!(available < rules.stockLowThreshold && before >= rules.stockLowThreshold)) return [];
  const detail = {
    schemaVersion: 1,
    productId: str(newImage, 'productId'),
    available,
    threshold: rules.stockLowThreshold,
    at,
  };
  return [event(EVENT_SOURCES.inventory, 'StockLow', detail)];
}

export function userEvents({ eventName, newImage }: TableChange): DomainEvent[] {
  if (eventName !== 'INSERT' || !newImage || isTestData(newImage)) return [];
  return [
    event(EVENT_SOURCES.users, 'UserRegistered', {
      schemaVersion: 1,
      userId: str(newImage, 'userId'),
      at: str(newImage, 'createdAt'),
    }),
  ];
}
