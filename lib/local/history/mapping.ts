/**
 * The history replay's mapping, pure: the dataset's invoice lines (read by catalog-data/invoice-lines.ts)
 * → the platform's own records — an order as the orders context stores it, and the `purchase` clickstream
 * events POST /v1/events would have put on the stream. No I/O here (./replay.ts writes), so the rules below
 * are unit-tested on made-up lines.
 *
 * The rules (issue 4, "History replay"):
 * - One invoice → one order `hist-<InvoiceNo>`, dated by its earliest line (no invoice of the dataset spans
 *   two days; 43 span two minutes). Deterministic ids make a second replay write the same items again,
 *   which the orders-stream loader reads as "no status change": nothing counts twice.
 * - A sale invoice → status CONFIRMED, payment CHARGED. The orders-stream loader turns an order inserted
 *   CONFIRMED into SALE facts dated at createdAt.
 * - A cancellation invoice ("C…") → status CANCELLED, payment REFUNDED, history CONFIRMED then CANCELLED at
 *   the invoice time, its lines with positive quantities: the loader reads that as a refund of a confirmed
 *   order and writes REFUND facts with the quantities and amounts negated, dated at the CANCELLED entry.
 *   The dataset does not say which invoice a cancellation undoes, so the refund stands as an order of its own.
 * - Amounts: pence = round(UnitPrice × 100) × |Quantity|, GBP. The price is rounded as the decimal the CSV
 *   wrote (`1.005` → 101), not as its binary approximation (`1.005 * 100` is 100.49999…).
 * - Skipped lines, counted by reason: outside cancellations, Quantity ≤ 0 (stock adjustments) or
 *   UnitPrice ≤ 0 (bad-debt adjustments, free samples); in a cancellation, a line that takes nothing back
 *   (Quantity ≥ 0) or has a negative UnitPrice. An invoice left with no line writes no order.
 * - The customer is `customer-<CustomerID>`; a line without one is a guest's, one guest per invoice
 *   (`guest-<InvoiceNo>`): the data cannot tell two anonymous buyers apart.
 * - A line that bills no goods — postage, carriage, fees, manual adjustments, samples, vouchers: the catalog's rule,
 *   catalog-data/merchandise.ts isMerchandiseLine — is written like any other, so every total stays the dataset's,
 *   and marked `merchandise: false`: the warehouse keeps it out of product rankings and categories and reports it as
 *   `nonMerchandise` (functions/analytics/domain/load.ts OrderLine). The tally counts these lines and their pence.
 * - Each line of a sale also emits a `purchase` event (value = the line's pence, at = the invoice time) with
 *   the id `hist-<InvoiceNo>#<line>#purchase`, in a session of its own per invoice (a UUID derived from the
 *   invoice number), which is also the Kinesis partition key. Refunds emit no purchase.
 */
import { createHash } from 'node:crypto';
import type { ClickEvent } from '../../../functions/analytics/ports';
import type { Order } from '../../../functions/orders/schemas';
import type { InvoiceLine } from '../../../catalog-data/invoice-lines';
import { isMerchandiseLine } from '../../../catalog-data/merchandise';
import type { OrderLine } from '../../../functions/analytics/domain/load';

export const HISTORY_CURRENCY = 'GBP';
export const ORDER_ID_PREFIX = 'hist-';

export type SkipReason =
  'quantity ≤ 0' | 'unit price ≤ 0' | 'cancellation with quantity ≥ 0' | 'cancellation with unit price < 0';
export const SKIP_REASONS: readonly SkipReason[] = [
  'quantity ≤ 0',
  'unit price ≤ 0',
  'cancellation with quantity ≥ 0',
  'cancellation with unit price < 0',
];

export interface HistoryInvoice {
  invoiceNo: string;
  /** The invoice's lines in file order. */
  lines: InvoiceLine[];
}

export interface InvoicePlan {
  invoiceNo: string;
  kind: 'SALE' | 'REFUND';
  /** Undefined when every line was skipped. */
  order?: Order;
  events: ClickEvent[];
  skipped: { line: InvoiceLine; reason: SkipReason }[];
}

/** `YYYY-MM-DD` inclusive bounds, UTC. */
export interface DateRange {
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a replay range: real dates, `from` not after `to`. */
export function parseRange(from: string | undefined, to: string | undefined): DateRange {
  for (const [name, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (
      !value ||
      !DAY.test(value) ||
      Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
      new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
    ) {
      throw new Error(`${name} must be a date YYYY-MM-DD, got ${value === undefined ? 'nothing' : `'${value}'`}`);
    }
  }
  if (from! > to!) throw new Error(`--from (${from}) is after --to (${to})`);
  return { from: from!, to: to! };
}

/**
 * Pence of a GBP unit price, rounded half up as the decimal it was written as. Shifting the decimal point
 * in the number's shortest text form (`${x}e2`) is exact, where multiplying by 100 is not.
 */
export function penceOf(unitPrice: number): number {
  if (!Number.isFinite(unitPrice) || unitPrice < 0) throw new Error(`Not a unit price: ${unitPrice}`);
  return Math.round(Number(`${unitPrice}e2`));
}

/** Why a line is not replayed, or undefined when it is. */
export function skipReason(line: InvoiceLine): SkipReason | undefined {
  if (line.cancelled) {
    if (line.quantity >= 0) return 'cancellation with quantity ≥ 0';
    if (line.unitPrice < 0) return 'cancellation with unit price < 0';
    return undefined;
  }
  if (line.quantity <= 0) return 'quantity ≤ 0';
  if (line.unitPrice <= 0) return 'unit price ≤ 0';
  return undefined;
}

export const orderIdOf = (invoiceNo: string) => `${ORDER_ID_PREFIX}${invoiceNo}`;
export const userIdOf = (invoiceNo: string, customerId: string | undefined) =>
  customerId ? `customer-${customerId}` : `guest-${invoiceNo}`;

/** A UUID (version 5 layout) derived from the invoice number: the same session on every replay. */
export function sessionIdOf(invoiceNo: string): string {
  const h = createHash('sha1').update(`ecicomm-history-session:${invoiceNo}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The dataset's country names → ISO 3166-1 alpha-2 (the order's address field). 'ZZ' where none applies. */
const COUNTRY_CODES: Record<string, string> = {
  'United Kingdom': 'GB',
  France: 'FR',
  Australia: 'AU',
  Netherlands: 'NL',
  Germany: 'DE',
  Norway: 'NO',
  EIRE: 'IE',
  Switzerland: 'CH',
  Spain: 'ES',
  Poland: 'PL',
  Portugal: 'PT',
  Italy: 'IT',
  Belgium: 'BE',
  Lithuania: 'LT',
  Japan: 'JP',
  Iceland: 'IS',
  'Channel Islands': 'JE',
  Denmark: 'DK',
  Cyprus: 'CY',
  Sweden: 'SE',
  Austria: 'AT',
  Israel: 'IL',
  Finland: 'FI',
  Bahrain: 'BH',
  Greece: 'GR',
  'Hong Kong': 'HK',
  Singapore: 'SG',
  Lebanon: 'LB',
  'United Arab Emirates': 'AE',
  'Saudi Arabia': 'SA',
  'Czech Republic': 'CZ',
  Canada: 'CA',
  Brazil: 'BR',
  USA: 'US',
  Malta: 'MT',
  RSA: 'ZA',
};
export const countryCodeOf = (country: string) => COUNTRY_CODES[country] ?? 'ZZ';

/**
 * The order and events an invoice becomes (see the rules at the top). `receivedAt` stamps the events as
 * POST /v1/events would: when the platform took them in, i.e. when the replay runs.
 */
export function planInvoice(invoice: HistoryInvoice, receivedAt: string): InvoicePlan {
  const { invoiceNo, lines } = invoice;
  if (lines.length === 0) throw new Error(`Invoice ${invoiceNo} has no lines`);
  const kind = lines[0].cancelled ? 'REFUND' : 'SALE';
  const skipped: InvoicePlan['skipped'] = [];
  const kept: InvoiceLine[] = [];
  for (const line of lines) {
    const reason = skipReason(line);
    if (reason) skipped.push({ line, reason });
    else kept.push(line);
  }
  if (kept.length === 0) return { invoiceNo, kind, events: [], skipped };

  // Dated by the earliest line; the dataset's times are ISO UTC strings, which sort as times.
  const at = lines.reduce((min, l) => (l.invoiceDate < min ? l.invoiceDate : min), lines[0].invoiceDate);
  const customerId = lines.find((l) => l.customerId)?.customerId;
  const items = kept.map((l): OrderLine => {
    const quantity = Math.abs(l.quantity);
    const unitPrice = penceOf(l.unitPrice);
    const line = {
      productId: l.stockCode,
      name: l.description || l.stockCode,
      quantity,
      unitPrice,
      lineTotal: unitPrice * quantity,
    };
    return isMerchandiseLine(l.stockCode, l.description) ? line : { ...line, merchandise: false };
  });
  const subtotal = items.reduce((sum, i) => sum + i.lineTotal, 0);
  const orderId = orderIdOf(invoiceNo);
  const country = lines[0].country;
  const order: Order = {
    orderId,
    userId: userIdOf(invoiceNo, customerId),
    status: kind === 'SALE' ? 'CONFIRMED' : 'CANCELLED',
    items,
    subtotal,
    discount: 0,
    tax: 0,
    shipping: 0,
    total: subtotal,
    currency: HISTORY_CURRENCY,
    // The dataset records the buyer's country and nothing else of an address.
    shippingAddress: {
      name: customerId ? `Customer ${customerId}` : 'Guest',
      line1: 'Not recorded',
      city: country || 'Not recorded',
      postalCode: 'UNKNOWN',
      country: countryCodeOf(country),
    },
    payment: { status: kind === 'SALE' ? 'CHARGED' : 'REFUNDED' },
    history:
      kind === 'SALE'
        ? [
            { status: 'PENDING', at },
            { status: 'CONFIRMED', at },
          ]
        : [
            { status: 'PENDING', at },
            { status: 'CONFIRMED', at },
            { status: 'CANCELLED', at },
          ],
    createdAt: at,
    updatedAt: at,
  };
  const sessionId = sessionIdOf(invoiceNo);
  const events: ClickEvent[] =
    kind === 'SALE'
      ? items.map((item, i) => ({
          type: 'purchase',
          sessionId,
          productId: item.productId,
          value: item.lineTotal,
          eventId: `${orderId}#${i + 1}#purchase`,
          at,
          receivedAt,
        }))
      : [];
  return { invoiceNo, kind, order, events, skipped };
}

/**
 * Groups invoice lines (in the dataset's date order) into invoices within the range, each yielded once all
 * its lines are in: lines are held per day and released when a later day starts, so one invoice whose lines
 * are not adjacent still comes out whole. A line of an invoice already released means the input is not in
 * date order, which would split the invoice into two orders: that throws rather than write a wrong order.
 * Reading stops at the first line after the range.
 */
export async function* invoicesInRange(
  batches: AsyncIterable<readonly InvoiceLine[]> | Iterable<readonly InvoiceLine[]>,
  range: DateRange,
): AsyncGenerator<HistoryInvoice> {
  let open = new Map<string, InvoiceLine[]>();
  let openDay = '';
  const released = new Set<string>();
  function* release(): Generator<HistoryInvoice> {
    for (const [invoiceNo, lines] of open) {
      released.add(invoiceNo);
      yield { invoiceNo, lines };
    }
    open = new Map();
  }
  reading: for await (const batch of batches) {
    for (const line of batch) {
      const day = line.invoiceDate.slice(0, 10);
      // The input is in date order, so nothing after the first later line can be in the range: stop reading
      // there, which also releases the last day's invoices without reading the rest of the dataset first.
      if (day > range.to) break reading;
      if (day < range.from) continue;
      if (day !== openDay) {
        if (day < openDay)
          throw new Error(`Invoice lines are not in date order: ${line.invoiceNo} on ${day} after ${openDay}`);
        yield* release();
        openDay = day;
      }
      if (released.has(line.invoiceNo))
        throw new Error(`Invoice ${line.invoiceNo} has lines on more than one day; it cannot become one order`);
      const lines = open.get(line.invoiceNo);
      if (lines) lines.push(line);
      else open.set(line.invoiceNo, [line]);
    }
  }
  yield* release();
}

/** What a replay did, as its summary prints it. */
export interface ReplayTally {
  /** Invoices in the range, whatever became of them. */
  invoices: number;
  /** Sale orders (CONFIRMED) written. */
  orders: number;
  /** Refund orders (CANCELLED, REFUNDED) written. */
  refunds: number;
  /** Invoices with every line skipped: no order written. */
  emptyInvoices: number;
  /** Order lines written (sales and refunds). */
  lines: number;
  skipped: Record<SkipReason, number>;
  /** Purchase events put on the clickstream. */
  events: number;
  /** Net pence of what was written: sales minus refunds. */
  revenuePence: number;
  /** Of `lines`, those that bill no goods (marked merchandise: false), and their net pence (part of revenuePence). */
  nonMerchandiseLines: number;
  nonMerchandisePence: number;
}

export const emptyTally = (): ReplayTally => ({
  invoices: 0,
  orders: 0,
  refunds: 0,
  emptyInvoices: 0,
  lines: 0,
  skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
  events: 0,
  revenuePence: 0,
  nonMerchandiseLines: 0,
  nonMerchandisePence: 0,
});

export function addToTally(tally: ReplayTally, plan: InvoicePlan): void {
  tally.invoices++;
  for (const { reason } of plan.skipped) tally.skipped[reason]++;
  if (!plan.order) {
    tally.emptyInvoices++;
    return;
  }
  if (plan.kind === 'SALE') tally.orders++;
  else tally.refunds++;
  tally.lines += plan.order.items.length;
  tally.events += plan.events.length;
  const sign = plan.kind === 'SALE' ? 1 : -1;
  tally.revenuePence += sign * plan.order.total;
  for (const item of plan.order.items as readonly OrderLine[]) {
    if (item.merchandise !== false) continue;
    tally.nonMerchandiseLines++;
    tally.nonMerchandisePence += sign * item.lineTotal;
  }
}
