import type { InvoiceLine } from '../../catalog-data/invoice-lines';

/** A line of the dataset's first invoice (536365), as the CSV reader yields it, with what a test changes. */
export const invoiceLine = (overrides: Partial<InvoiceLine> = {}): InvoiceLine => ({
  invoiceNo: '536365',
  stockCode: '85123A',
  description: 'WHITE HANGING HEART T-LIGHT HOLDER',
  quantity: 6,
  invoiceDate: '2010-12-01T08:26:00.000Z',
  unitPrice: 2.55,
  customerId: '17850',
  country: 'United Kingdom',
  cancelled: false,
  ...overrides,
});
