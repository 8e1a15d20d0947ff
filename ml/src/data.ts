/**
 * The order history that recommendations learn from: the dataset's invoice lines (read by
 * catalog-data/invoice-lines.ts), cleaned by the rules below — stated once, here, and recorded in every
 * model artifact — and grouped into invoices and customers.
 */
import { readInvoiceLineBatches, type InvoiceLine } from '../../catalog-data/invoice-lines';
import { isMerchandiseCode, isMerchandiseDescription } from '../../catalog-data/merchandise';

/** The cleaning rules, as recorded in the artifact. `isTrainingLine` is their code. */
export const CLEANING_RULES =
  'UCI Online Retail invoice lines kept: with a CustomerID; not a cancellation (InvoiceNo not starting with "C"); ' +
  'Quantity > 0; UnitPrice > 0; goods only (isMerchandiseCode and isMerchandiseDescription of ' +
  'catalog-data/merchandise.ts: no postage, carriage, fees, manual adjustments, samples or vouchers). ' +
  'StockCode upper-cased; InvoiceDate (naive UK local time) read as UTC; lines of one invoice with the same ' +
  'StockCode merged (quantities added); an invoice dated by its earliest line.';

/** Whether a line is a purchase the models learn from (see CLEANING_RULES). */
export function isTrainingLine(line: InvoiceLine): boolean {
  return (
    line.customerId !== undefined &&
    line.customerId !== '' &&
    !line.cancelled &&
    !/^c/i.test(line.invoiceNo) &&
    line.quantity > 0 &&
    line.unitPrice > 0 &&
    isMerchandiseCode(line.stockCode) &&
    isMerchandiseDescription(line.description)
  );
}

export interface Invoice {
  invoiceNo: string;
  customerId: string;
  /** ISO 8601 UTC. */
  at: string;
  /** Milliseconds since the epoch (`Date.parse(at)`). */
  time: number;
  /** One entry per product, quantities of repeated lines added, in first-seen order. */
  lines: { productId: string; quantity: number }[];
  /**
   * Spend, GBP: the sum of Quantity × UnitPrice over the invoice's cleaned lines (customer segments' monetary
   * value). Set by OrderHistoryBuilder; optional so that hand-made invoices need not carry it.
   */
  spend?: number;
}

export interface CustomerHistory {
  customerId: string;
  /** Oldest first. */
  invoices: Invoice[];
}

export interface OrderHistory {
  /** Oldest first (ties by invoice number). */
  invoices: Invoice[];
  /** By customer id; each customer's invoices oldest first. */
  customers: CustomerHistory[];
  /** Cleaned lines (before merging repeated products within an invoice). */
  lines: number;
}

/** A `--until`/`from` date ('YYYY-MM-DD' or any ISO timestamp) as epoch milliseconds, UTC. */
export function parseCutoff(value: string): number {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value);
  if (!Number.isFinite(time)) throw new Error(`Not a date: '${value}' (expected YYYY-MM-DD)`);
  return time;
}

/** Folds invoice lines into cleaned invoices. Lines failing the cleaning rules are dropped. */
export class OrderHistoryBuilder {
  private readonly byNo = new Map<string, Invoice & { index: Map<string, number> }>();
  private cleanLines = 0;

  constructor(private readonly window: { from?: number; until?: number } = {}) {}

  add(line: InvoiceLine): void {
    if (!isTrainingLine(line)) return;
    const time = Date.parse(line.invoiceDate);
    if (this.window.until !== undefined && !(time < this.window.until)) return;
    if (this.window.from !== undefined && time < this.window.from) return;
    this.cleanLines++;
    let invoice = this.byNo.get(line.invoiceNo);
    if (!invoice) {
      invoice = {
        invoiceNo: line.invoiceNo,
        customerId: line.customerId!,
        at: line.invoiceDate,
        time,
        lines: [],
        spend: 0,
        index: new Map(),
      };
      this.byNo.set(line.invoiceNo, invoice);
    } else if (time < invoice.time) {
      invoice.time = time;
      invoice.at = line.invoiceDate;
    }
    invoice.spend = (invoice.spend ?? 0) + line.quantity * line.unitPrice;
    const at = invoice.index.get(line.stockCode);
    if (at === undefined) {
      invoice.index.set(line.stockCode, invoice.lines.length);
      invoice.lines.push({ productId: line.stockCode, quantity: line.quantity });
    } else {
      invoice.lines[at].quantity += line.quantity;
    }
  }

  build(): OrderHistory {
    const invoices: Invoice[] = [...this.byNo.values()].map(({ index: _index, ...invoice }) => invoice);
    return fromInvoices(invoices, this.cleanLines);
  }
}

const byTime = (a: Invoice, b: Invoice) =>
  a.time - b.time || (a.invoiceNo < b.invoiceNo ? -1 : a.invoiceNo > b.invoiceNo ? 1 : 0);

/** An order history from invoices (any order). `lines` defaults to the number of invoice lines. */
export function fromInvoices(invoices: Invoice[], lines?: number): OrderHistory {
  const sorted = [...invoices].sort(byTime);
  const byCustomer = new Map<string, Invoice[]>();
  for (const invoice of sorted) {
    let list = byCustomer.get(invoice.customerId);
    if (!list) byCustomer.set(invoice.customerId, (list = []));
    list.push(invoice);
  }
  const customers = [...byCustomer]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([customerId, list]) => ({ customerId, invoices: list }));
  return { invoices: sorted, customers, lines: lines ?? sorted.reduce((n, i) => n + i.lines.length, 0) };
}

export interface LoadOrderHistoryOptions {
  /** Only invoices dated before this ('YYYY-MM-DD' = midnight UTC; exclusive). */
  until?: string;
  /** Only invoices dated at or after this. */
  from?: string;
  /** Compressed bytes read, of the dataset's total. */
  onProgress?: (done: number, total: number) => void;
}

/** The cleaned order history of the dataset in `datasetDir`, within the window given. */
export async function loadOrderHistory(
  datasetDir: string,
  options: LoadOrderHistoryOptions = {},
): Promise<OrderHistory> {
  const builder = new OrderHistoryBuilder({
    until: options.until === undefined ? undefined : parseCutoff(options.until),
    from: options.from === undefined ? undefined : parseCutoff(options.from),
  });
  for await (const batch of readInvoiceLineBatches(datasetDir, { onProgress: options.onProgress }))
    for (const line of batch) builder.add(line);
  return builder.build();
}

/** The invoices dated before `at` and those at or after it. */
export function splitAt(history: OrderHistory, at: string | number): { before: OrderHistory; after: OrderHistory } {
  const time = typeof at === 'number' ? at : parseCutoff(at);
  const before = history.invoices.filter((i) => i.time < time);
  const after = history.invoices.filter((i) => i.time >= time);
  return { before: fromInvoices(before), after: fromInvoices(after) };
}

/** The distinct products of an order history, sorted. */
export function productsOf(history: OrderHistory): string[] {
  const ids = new Set<string>();
  for (const invoice of history.invoices) for (const line of invoice.lines) ids.add(line.productId);
  return [...ids].sort();
}

/** A customer's history as the model server's request carries it: one entry per product per invoice. */
export function requestHistory(customer: CustomerHistory): { productId: string; quantity: number; at: string }[] {
  return customer.invoices.flatMap((invoice) =>
    invoice.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, at: invoice.at })),
  );
}

/** 'YYYY-MM-DD' of an epoch time, UTC. */
export const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);
