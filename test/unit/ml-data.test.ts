import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLEANING_RULES,
  isTrainingLine,
  loadOrderHistory,
  OrderHistoryBuilder,
  parseCutoff,
  requestHistory,
  splitAt,
} from '../../ml/src/data';
import { writeSyntheticDataset } from '../../ml/src/synthetic';
import { invoiceLine } from '../support/invoice-line';

const line = invoiceLine;

describe('cleaning rules', () => {
  it('keeps an ordinary purchase', () => {
    expect(isTrainingLine(line())).toBe(true);
  });

  it('drops lines without a customer', () => {
    expect(isTrainingLine(line({ customerId: undefined }))).toBe(false);
    expect(isTrainingLine(line({ customerId: '' }))).toBe(false);
  });

  it('drops cancellations, by flag or by a C invoice number', () => {
    expect(isTrainingLine(line({ invoiceNo: 'C536379', cancelled: true, quantity: -1 }))).toBe(false);
    expect(isTrainingLine(line({ invoiceNo: 'C536379', cancelled: false }))).toBe(false);
    expect(isTrainingLine(line({ cancelled: true }))).toBe(false);
  });

  it('drops zero and negative quantities and prices', () => {
    expect(isTrainingLine(line({ quantity: 0 }))).toBe(false);
    expect(isTrainingLine(line({ quantity: -3 }))).toBe(false);
    expect(isTrainingLine(line({ unitPrice: 0 }))).toBe(false);
    expect(isTrainingLine(line({ unitPrice: -11062.06 }))).toBe(false);
  });

  it('drops service codes and service descriptions: postage, fees, vouchers, manual lines', () => {
    for (const stockCode of ['POST', 'DOT', 'M', 'BANK CHARGES', 'AMAZONFEE', 'C2', 'GIFT_0001_20', 'CRUK']) {
      expect(isTrainingLine(line({ stockCode })), stockCode).toBe(false);
    }
    expect(isTrainingLine(line({ stockCode: '23444', description: 'Next Day Carriage' }))).toBe(false);
    expect(isTrainingLine(line({ stockCode: 'DCGS0003', description: 'BOXED GLASS ASHTRAY' }))).toBe(true);
  });

  it('states the rules it applies', () => {
    for (const rule of ['CustomerID', 'cancellation', 'Quantity > 0', 'UnitPrice > 0', 'isMerchandiseCode', 'UTC'])
      expect(CLEANING_RULES).toContain(rule);
  });
});

describe('order history', () => {
  it('merges repeated products of an invoice, groups invoices by customer, oldest first', () => {
    const b = new OrderHistoryBuilder();
    b.add(line({ invoiceNo: '2', invoiceDate: '2011-01-02T10:00:00.000Z', stockCode: 'A1' }));
    b.add(line({ invoiceNo: '1', invoiceDate: '2011-01-01T10:00:00.000Z', stockCode: 'A1', quantity: 2 }));
    b.add(line({ invoiceNo: '1', invoiceDate: '2011-01-01T10:00:00.000Z', stockCode: 'A1', quantity: 3 }));
    b.add(line({ invoiceNo: '1', invoiceDate: '2011-01-01T10:00:00.000Z', stockCode: 'B2', quantity: 1 }));
    b.add(line({ invoiceNo: '3', customerId: '99', stockCode: 'A1' }));
    b.add(line({ invoiceNo: 'C4', cancelled: true, quantity: -5, stockCode: 'A1' }));
    const h = b.build();
    expect(h.lines).toBe(5);
    expect(h.invoices.map((i) => i.invoiceNo)).toEqual(['3', '1', '2']);
    const customer = h.customers.find((c) => c.customerId === '17850')!;
    expect(customer.invoices.map((i) => i.invoiceNo)).toEqual(['1', '2']);
    expect(customer.invoices[0].lines).toEqual([
      { productId: 'A1', quantity: 5 },
      { productId: 'B2', quantity: 1 },
    ]);
    expect(requestHistory(customer)).toEqual([
      { productId: 'A1', quantity: 5, at: '2011-01-01T10:00:00.000Z' },
      { productId: 'B2', quantity: 1, at: '2011-01-01T10:00:00.000Z' },
      { productId: 'A1', quantity: 6, at: '2011-01-02T10:00:00.000Z' },
    ]);
  });

  it('keeps only invoices before the cut-off, and splits at a date', () => {
    const b = new OrderHistoryBuilder({ until: parseCutoff('2011-01-02') });
    b.add(line({ invoiceNo: '1', invoiceDate: '2011-01-01T23:59:00.000Z' }));
    b.add(line({ invoiceNo: '2', invoiceDate: '2011-01-02T00:00:00.000Z' }));
    expect(b.build().invoices.map((i) => i.invoiceNo)).toEqual(['1']);

    const all = new OrderHistoryBuilder();
    for (const [no, day] of [
      ['1', '01'],
      ['2', '05'],
      ['3', '09'],
    ])
      all.add(line({ invoiceNo: no, invoiceDate: `2011-01-${day}T12:00:00.000Z` }));
    const { before, after } = splitAt(all.build(), '2011-01-05');
    expect(before.invoices.map((i) => i.invoiceNo)).toEqual(['1']);
    expect(after.invoices.map((i) => i.invoiceNo)).toEqual(['2', '3']);
  });

  it('rejects a cut-off that is not a date', () => {
    expect(() => parseCutoff('next week')).toThrow(/Not a date/);
  });

  describe('from gzipped CSVs in the dataset format', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'ml-data-'));
      await writeSyntheticDataset(dir, [
        {
          invoiceNo: '500001',
          stockCode: '85123a',
          quantity: 2,
          invoiceDate: '2010-12-01T08:26:00',
          customerId: '12345',
        },
        {
          invoiceNo: '500001',
          stockCode: 'POST',
          description: 'POSTAGE',
          quantity: 1,
          invoiceDate: '2010-12-01T08:26:00',
          customerId: '12345',
        },
        {
          invoiceNo: '500002',
          stockCode: '22423',
          description: 'REGENCY CAKESTAND, "3 TIER"',
          quantity: 1,
          invoiceDate: '2010-12-01T09:00:00',
        },
        {
          invoiceNo: 'C500003',
          stockCode: '85123A',
          quantity: -2,
          invoiceDate: '2010-12-02T10:00:00',
          customerId: '12345',
        },
        {
          invoiceNo: '500004',
          stockCode: '22423',
          quantity: 1,
          invoiceDate: '2011-01-03T10:00:00',
          customerId: '12345',
          unitPrice: 0,
        },
        {
          invoiceNo: '500005',
          stockCode: '22423',
          quantity: 3,
          invoiceDate: '2011-01-04T10:00:00',
          customerId: '12345',
        },
      ]);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('reads, cleans and windows', async () => {
      const all = await loadOrderHistory(dir);
      expect(all.invoices.map((i) => [i.invoiceNo, i.at, i.lines])).toEqual([
        ['500001', '2010-12-01T08:26:00.000Z', [{ productId: '85123A', quantity: 2 }]],
        ['500005', '2011-01-04T10:00:00.000Z', [{ productId: '22423', quantity: 3 }]],
      ]);
      expect((await loadOrderHistory(dir, { until: '2011-01-01' })).invoices.map((i) => i.invoiceNo)).toEqual([
        '500001',
      ]);
      expect((await loadOrderHistory(dir, { from: '2011-01-01' })).invoices.map((i) => i.invoiceNo)).toEqual([
        '500005',
      ]);
    });
  });
});
