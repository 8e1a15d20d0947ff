/**
 * The history replay's mapping (lib/local/history/mapping.ts): invoices of the dataset → the platform's own
 * orders and purchase events, checked on made-up lines and through the real stream loaders, so an order the
 * replay writes is one the pipeline counts as intended. Where the dataset is present, every invoice of it
 * is mapped and checked the same way.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from '@jest/globals';
import { userBehaviorFromKinesisRecord } from '../../functions/analytics/adapters/clickstream-records';
import { orderLoadFromStreamRecord } from '../../functions/analytics/adapters/orders-stream-records';
import { ClickEventInput } from '../../functions/analytics/schemas';
import { Order } from '../../functions/orders/schemas';
import { readInvoiceLineBatches, type InvoiceLine } from '../../catalog-data/invoice-lines';
import {
  addToTally,
  emptyTally,
  invoicesInRange,
  parseRange,
  penceOf,
  planInvoice,
  sessionIdOf,
  skipReason,
  type HistoryInvoice,
  type InvoicePlan,
} from '@ecicomm/local-platform/history/mapping';
import { FIXTURE_RANGE, writeHistoryFixture } from '../support/history-fixture';
import { invoiceLine } from '../support/invoice-line';

const RECEIVED_AT = '2026-11-25T12:00:00.000Z';

const line = invoiceLine;

/** The record DynamoDB Streams would carry for the order's first write (INSERT), or for writing it again over itself (MODIFY). */
const streamRecord = (order: object, eventName: 'INSERT' | 'MODIFY' = 'INSERT'): DynamoDBRecord => ({
  eventID: `ev-${eventName}`,
  eventName,
  dynamodb: {
    NewImage: marshall(order, { removeUndefinedValues: true }) as never,
    ...(eventName === 'MODIFY' ? { OldImage: marshall(order, { removeUndefinedValues: true }) as never } : {}),
  },
});

const kinesisRecord = (event: object, partitionKey: string): KinesisStreamRecord =>
  ({
    eventID: 'shardId-000000000000:1',
    kinesis: { data: Buffer.from(JSON.stringify(event)).toString('base64'), partitionKey, sequenceNumber: '1' },
  }) as KinesisStreamRecord;

describe('penceOf', () => {
  it.each([
    [1.25, 125],
    [0.29, 29],
    [2.55, 255],
    [1.005, 101], // 1.005 * 100 is 100.49999999999999 in binary: the decimal written in the CSV rounds up
    [0.165, 17],
    [0.001, 0],
    [18, 1800],
    [11062.06, 1106206],
    [0, 0],
  ])('%s GBP is %s pence', (price, pence) => {
    expect(penceOf(price)).toBe(pence);
  });

  it('refuses a negative price', () => {
    expect(() => penceOf(-1)).toThrow(/Not a unit price/);
  });
});

describe('skipReason', () => {
  it('keeps sales with a positive quantity and price, and cancellations taking units back at a price', () => {
    expect(skipReason(line())).toBeUndefined();
    expect(skipReason(line({ invoiceNo: 'C536379', cancelled: true, quantity: -1 }))).toBeUndefined();
    expect(skipReason(line({ invoiceNo: 'C536379', cancelled: true, quantity: -1, unitPrice: 0 }))).toBeUndefined();
  });

  it('skips stock adjustments and zero or negative prices outside cancellations, and cancellations that take nothing back', () => {
    expect(skipReason(line({ quantity: 0 }))).toBe('quantity ≤ 0');
    expect(skipReason(line({ quantity: -12, unitPrice: 0 }))).toBe('quantity ≤ 0');
    expect(skipReason(line({ unitPrice: 0 }))).toBe('unit price ≤ 0');
    expect(skipReason(line({ invoiceNo: 'A563185', unitPrice: -11062.06, quantity: 1 }))).toBe('unit price ≤ 0');
    expect(skipReason(line({ invoiceNo: 'C1', cancelled: true, quantity: 3 }))).toBe('cancellation with quantity ≥ 0');
    expect(skipReason(line({ invoiceNo: 'C1', cancelled: true, quantity: -3, unitPrice: -1 }))).toBe(
      'cancellation with unit price < 0',
    );
  });
});

describe('parseRange', () => {
  it('takes two real dates in order, inclusive', () => {
    expect(parseRange('2011-02-01', '2011-02-28')).toEqual({ from: '2011-02-01', to: '2011-02-28' });
    expect(parseRange('2011-02-01', '2011-02-01')).toEqual({ from: '2011-02-01', to: '2011-02-01' });
  });

  it.each([
    [undefined, '2011-02-28', /--from must be a date/],
    ['2011-02-01', undefined, /--to must be a date/],
    ['2011-2-1', '2011-02-28', /--from must be a date/],
    ['2011-02-30', '2011-03-01', /--from must be a date/],
    ['2011-03-01', '2011-02-28', /is after --to/],
  ])('refuses --from %s --to %s', (from, to, message) => {
    expect(() => parseRange(from, to)).toThrow(message);
  });
});

describe('planInvoice: a sale', () => {
  const invoice: HistoryInvoice = {
    invoiceNo: '536365',
    lines: [
      line(),
      line({
        stockCode: '71053',
        description: 'WHITE METAL LANTERN',
        unitPrice: 3.39,
        invoiceDate: '2010-12-01T08:27:00.000Z',
      }),
      line({ stockCode: '22752', quantity: -2 }),
      line({ stockCode: '84029G', description: '', quantity: 8, unitPrice: 1.005 }),
    ],
  };
  const plan = planInvoice(invoice, RECEIVED_AT);

  it('is a CONFIRMED, charged order of the customer, at the time of its earliest line, in GBP pence, that the orders schema accepts', () => {
    const order = Order.parse(plan.order);
    expect(order).toMatchObject({
      orderId: 'hist-536365',
      userId: 'customer-17850',
      status: 'CONFIRMED',
      payment: { status: 'CHARGED' },
      currency: 'GBP',
      createdAt: '2010-12-01T08:26:00.000Z',
      updatedAt: '2010-12-01T08:26:00.000Z',
      history: [
        { status: 'PENDING', at: '2010-12-01T08:26:00.000Z' },
        { status: 'CONFIRMED', at: '2010-12-01T08:26:00.000Z' },
      ],
      shippingAddress: { country: 'GB' },
    });
    expect(order.items).toEqual([
      { productId: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6, unitPrice: 255, lineTotal: 1530 },
      { productId: '71053', name: 'WHITE METAL LANTERN', quantity: 6, unitPrice: 339, lineTotal: 2034 },
      { productId: '84029G', name: '84029G', quantity: 8, unitPrice: 101, lineTotal: 808 },
    ]);
    expect([order.subtotal, order.discount, order.tax, order.shipping, order.total]).toEqual([4372, 0, 0, 0, 4372]);
    expect(plan.skipped.map((s) => [s.line.stockCode, s.reason])).toEqual([['22752', 'quantity ≤ 0']]);
  });

  it('loads as one SALE fact per kept line through the orders-stream loader, dated at the invoice', () => {
    const load = orderLoadFromStreamRecord(streamRecord(plan.order!));
    expect(load.kind).toBe('SALE');
    expect(
      load.rows.map((r) => [
        r.eventId,
        r.productId,
        r.customerId,
        r.orderTs,
        r.quantity,
        r.unitPricePence,
        r.revenuePence,
        r.currency,
      ]),
    ).toEqual([
      ['hist-536365#1#SALE', '85123A', 'customer-17850', '2010-12-01T08:26:00.000Z', 6, 255, 1530, 'GBP'],
      ['hist-536365#2#SALE', '71053', 'customer-17850', '2010-12-01T08:26:00.000Z', 6, 339, 2034, 'GBP'],
      ['hist-536365#3#SALE', '84029G', 'customer-17850', '2010-12-01T08:26:00.000Z', 8, 101, 808, 'GBP'],
    ]);
  });

  it('written again over itself (a second replay), loads nothing', () => {
    expect(orderLoadFromStreamRecord(streamRecord(plan.order!, 'MODIFY'))).toEqual({ kind: 'NONE', rows: [] });
  });

  it('emits one purchase event per kept line, in the shape POST /v1/events writes, with ids stable across replays', () => {
    expect(plan.events).toHaveLength(3);
    const sessionId = sessionIdOf('536365');
    plan.events.forEach((event, i) => {
      expect(event).toEqual({
        type: 'purchase',
        sessionId,
        productId: plan.order!.items[i].productId,
        value: plan.order!.items[i].lineTotal,
        eventId: `hist-536365#${i + 1}#purchase`,
        at: '2010-12-01T08:26:00.000Z',
        receivedAt: RECEIVED_AT,
      });
      // What a client would have sent: POST /v1/events' own schema accepts it.
      const { eventId: _id, receivedAt: _received, ...input } = event;
      expect(ClickEventInput.safeParse(input).success).toBe(true);
    });
    expect(planInvoice(invoice, '2030-01-01T00:00:00.000Z').events.map((e) => e.eventId)).toEqual(
      plan.events.map((e) => e.eventId),
    );
  });

  it('loads its events through the clickstream loader as purchases of the invoice time', () => {
    const rows = plan.events.map((e) => userBehaviorFromKinesisRecord(kinesisRecord(e, e.sessionId)));
    expect(rows.map((r) => [r.eventId, r.eventType, r.productId, r.valuePence, r.eventTs])).toEqual([
      ['hist-536365#1#purchase', 'purchase', '85123A', 1530, '2010-12-01T08:26:00.000Z'],
      ['hist-536365#2#purchase', 'purchase', '71053', 2034, '2010-12-01T08:26:00.000Z'],
      ['hist-536365#3#purchase', 'purchase', '84029G', 808, '2010-12-01T08:26:00.000Z'],
    ]);
  });

  it('a guest invoice (no CustomerID) belongs to a guest of its own', () => {
    const guest = planInvoice(
      { invoiceNo: '536414', lines: [line({ invoiceNo: '536414', customerId: undefined, country: 'EIRE' })] },
      RECEIVED_AT,
    );
    expect(guest.order).toMatchObject({ userId: 'guest-536414', shippingAddress: { name: 'Guest', country: 'IE' } });
  });

  it('sessions are UUIDs, one per invoice, the same on every replay', () => {
    expect(sessionIdOf('536365')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessionIdOf('536365')).toBe(sessionIdOf('536365'));
    expect(sessionIdOf('536366')).not.toBe(sessionIdOf('536365'));
  });
});

describe('planInvoice: a cancellation', () => {
  const cancellation: HistoryInvoice = {
    invoiceNo: 'C536379',
    lines: [
      line({
        invoiceNo: 'C536379',
        cancelled: true,
        stockCode: 'D',
        description: 'Discount',
        quantity: -1,
        unitPrice: 27.5,
        customerId: '14527',
      }),
      line({ invoiceNo: 'C536379', cancelled: true, quantity: -24, customerId: '14527' }),
    ],
  };
  const plan = planInvoice(cancellation, RECEIVED_AT);

  it('is a CANCELLED order, payment REFUNDED, confirmed then cancelled at the invoice time, with positive quantities', () => {
    const order = Order.parse(plan.order);
    expect(order).toMatchObject({
      orderId: 'hist-C536379',
      userId: 'customer-14527',
      status: 'CANCELLED',
      payment: { status: 'REFUNDED' },
      total: 2750 + 24 * 255,
      history: [
        { status: 'PENDING', at: '2010-12-01T08:26:00.000Z' },
        { status: 'CONFIRMED', at: '2010-12-01T08:26:00.000Z' },
        { status: 'CANCELLED', at: '2010-12-01T08:26:00.000Z' },
      ],
    });
    expect(order.items.map((i) => [i.quantity, i.unitPrice, i.lineTotal])).toEqual([
      [1, 2750, 2750],
      [24, 255, 6120],
    ]);
    expect(plan.kind).toBe('REFUND');
  });

  it('loads as REFUND facts of negative quantity and revenue, dated at the invoice, and emits no purchase', () => {
    const load = orderLoadFromStreamRecord(streamRecord(plan.order!));
    expect(load.kind).toBe('REFUND');
    expect(load.rows.map((r) => [r.eventId, r.quantity, r.revenuePence, r.orderTs])).toEqual([
      ['hist-C536379#1#REFUND', -1, -2750, '2010-12-01T08:26:00.000Z'],
      ['hist-C536379#2#REFUND', -24, -6120, '2010-12-01T08:26:00.000Z'],
    ]);
    expect(orderLoadFromStreamRecord(streamRecord(plan.order!, 'MODIFY'))).toEqual({ kind: 'NONE', rows: [] });
    expect(plan.events).toEqual([]);
  });
});

describe('an invoice whose every line is skipped', () => {
  it('writes no order and no event, and its lines count as skipped', () => {
    const plan = planInvoice(
      { invoiceNo: '536589', lines: [line({ quantity: -10, unitPrice: 0 }), line({ quantity: 5, unitPrice: 0 })] },
      RECEIVED_AT,
    );
    expect(plan.order).toBeUndefined();
    expect(plan.events).toEqual([]);
    const tally = emptyTally();
    addToTally(tally, plan);
    expect(tally).toMatchObject({
      invoices: 1,
      orders: 0,
      refunds: 0,
      emptyInvoices: 1,
      lines: 0,
      events: 0,
      revenuePence: 0,
    });
    expect(tally.skipped).toMatchObject({ 'quantity ≤ 0': 1, 'unit price ≤ 0': 1 });
  });
});

describe('invoicesInRange', () => {
  const at = (invoiceNo: string, invoiceDate: string, stockCode = '85123A') =>
    line({ invoiceNo, invoiceDate, stockCode });

  it('groups an invoice whose lines are not adjacent, keeps only the range (inclusive, UTC days), in first-seen order', async () => {
    const batches = [
      [at('1', '2011-01-31T23:59:00.000Z'), at('2', '2011-02-01T00:00:00.000Z'), at('3', '2011-02-01T09:00:00.000Z')],
      [
        at('2', '2011-02-01T09:00:00.000Z', '22633'),
        at('4', '2011-02-28T23:59:00.000Z'),
        at('5', '2011-03-01T00:00:00.000Z'),
      ],
    ];
    const invoices: HistoryInvoice[] = [];
    for await (const invoice of invoicesInRange(batches, { from: '2011-02-01', to: '2011-02-28' }))
      invoices.push(invoice);
    expect(invoices.map((i) => [i.invoiceNo, i.lines.map((l) => l.stockCode)])).toEqual([
      ['2', ['85123A', '22633']],
      ['3', ['85123A']],
      ['4', ['85123A']],
    ]);
  });

  it('stops reading at the first line after the range, and closes the reader', async () => {
    const pulled: number[] = [];
    let closed = false;
    async function* batches() {
      try {
        pulled.push(1);
        yield [at('1', '2011-02-27T10:00:00.000Z'), at('2', '2011-02-28T10:00:00.000Z')];
        pulled.push(2);
        yield [
          at('2', '2011-02-28T11:00:00.000Z', '22633'),
          at('3', '2011-03-01T08:00:00.000Z'),
          at('4', '2011-02-28T12:00:00.000Z'),
        ];
        pulled.push(3);
        yield [at('5', '2011-03-02T08:00:00.000Z')];
      } finally {
        closed = true;
      }
    }
    const invoices: HistoryInvoice[] = [];
    for await (const invoice of invoicesInRange(batches(), { from: '2011-02-01', to: '2011-02-28' }))
      invoices.push(invoice);
    expect(invoices.map((i) => [i.invoiceNo, i.lines.length])).toEqual([
      ['1', 1],
      ['2', 2],
    ]);
    expect(pulled).toEqual([1, 2]);
    expect(closed).toBe(true);
  });

  it('refuses input out of date order rather than split an invoice into two orders', async () => {
    const drain = async (batches: InvoiceLine[][]) => {
      for await (const _ of invoicesInRange(batches, { from: '2011-02-01', to: '2011-02-28' }));
    };
    await expect(drain([[at('1', '2011-02-02T10:00:00.000Z'), at('2', '2011-02-01T10:00:00.000Z')]])).rejects.toThrow(
      /not in date order/,
    );
    await expect(
      drain([
        [at('1', '2011-02-01T10:00:00.000Z'), at('2', '2011-02-02T10:00:00.000Z'), at('1', '2011-02-02T10:00:00.000Z')],
      ]),
    ).rejects.toThrow(/more than one day/);
  });
});

describe('the made-up month (test/support/history-fixture.ts), read with the dataset reader', () => {
  const dir = writeHistoryFixture(mkdtempSync(path.join(tmpdir(), 'history-fixture-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tallies invoices, orders, refunds, lines, skipped lines by reason, events and net revenue', async () => {
    const tally = emptyTally();
    const plans: InvoicePlan[] = [];
    for await (const invoice of invoicesInRange(readInvoiceLineBatches(dir), FIXTURE_RANGE)) {
      const plan = planInvoice(invoice, RECEIVED_AT);
      plans.push(plan);
      addToTally(tally, plan);
    }
    expect(plans.map((p) => [p.invoiceNo, p.order?.total])).toEqual([
      ['900001', 1500 + 87 + 202],
      ['900002', 210 + 1800],
      ['900003', 1500],
      ['900004', undefined],
      ['C900005', 250 + 29],
      ['A900009', undefined],
      ['900006', 0],
      ['900007', 7650 + 8160],
    ]);
    expect(tally).toEqual({
      invoices: 8,
      orders: 5,
      refunds: 1,
      emptyInvoices: 2,
      lines: 11,
      skipped: {
        'quantity ≤ 0': 2,
        'unit price ≤ 0': 3,
        'cancellation with quantity ≥ 0': 0,
        'cancellation with unit price < 0': 0,
      },
      events: 9,
      revenuePence: 1789 + 2010 + 1500 + 0 + 15810 - 279,
      // POSTAGE (18.00) and PADS (100 × £0.001, which rounds to nothing): in the totals, but no goods.
      nonMerchandiseLines: 2,
      nonMerchandisePence: 1800,
    });
    expect(plans[1].order!.userId).toBe('guest-900002');
    expect(plans[0].order!.items[1].name).toBe('HAND WARMER UNION JACK, "BRITISH"');
  });
});

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');

describe('the whole dataset, where present', () => {
  (existsSync(datasetDir) ? it : it.skip)(
    'maps every invoice to orders the orders schema and the stream loader accept, each under DynamoDB’s 400 KB item limit',
    async () => {
      const tally = emptyTally();
      let largest = 0;
      for await (const invoice of invoicesInRange(readInvoiceLineBatches(datasetDir), {
        from: '2010-01-01',
        to: '2012-12-31',
      })) {
        const plan = planInvoice(invoice, RECEIVED_AT);
        addToTally(tally, plan);
        if (!plan.order) continue;
        expect(Order.safeParse(plan.order).success).toBe(true);
        largest = Math.max(largest, JSON.stringify(plan.order).length);
        const load = orderLoadFromStreamRecord(streamRecord(plan.order));
        expect(load.kind).toBe(plan.kind);
        expect(load.rows).toHaveLength(plan.order.items.length);
      }
      // The dataset's README: 25,900 invoices, 541,909 lines.
      expect(tally.invoices).toBe(25_900);
      const skipped = Object.values(tally.skipped).reduce((a, b) => a + b, 0);
      expect(tally.lines + skipped).toBe(541_909);
      expect(tally.orders + tally.refunds + tally.emptyInvoices).toBe(25_900);
      expect(largest).toBeLessThan(400 * 1024);
    },
    60_000,
  );
});
