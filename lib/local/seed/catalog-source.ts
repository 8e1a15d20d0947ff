/**
 * The seed catalog's source: the UCI Online Retail dataset read in place (monthly gzipped CSVs), or the
 * project's own demo catalog where the dataset is absent. Nothing read here is written back into the
 * repository; the catalog is derived afresh on every load.
 *
 * The CSV reading is exported for other modules (analytics replay, recommendations): `parseCsvLine`,
 * `csvRecordBatches`/`csvRecords`, and `readInvoiceLineBatches`/`readInvoiceLines`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Category } from '../../../functions/catalog/domain/categories';
import { brandOf, categorize, describeProduct, titleCase } from '../../../functions/catalog/domain/categorize';
import { DEMO_CATALOG } from './demo-catalog';

export interface SeedProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: Category;
  brand: string;
  /** Integer minor units (pence). */
  price: number;
  currency: 'GBP';
  /** Distinct invoices that sold the product. */
  popularity: number;
  initialStock: number;
  /** ISO 8601, UTC. */
  createdAt: string;
}

export interface LoadSeedCatalogOptions {
  /** The dataset directory. Undefined, missing or without CSVs: the demo catalog. */
  datasetDir?: string;
  /** Compressed bytes read so far, of the total size of the dataset's files. */
  onProgress?: (done: number, total: number) => void;
}

/* ------------------------------------------------------------------------------------------------ */
/* CSV                                                                                              */
/* ------------------------------------------------------------------------------------------------ */

const QUOTE = 34; // "

/**
 * Parses one CSV record (RFC 4180): comma-separated fields, optionally wrapped in double quotes, a
 * doubled quote inside a quoted field standing for one quote. Returns undefined when a quoted field is
 * not closed by the end of the text (the record continues on the next line).
 */
export function tryParseCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      // Quoted field: runs to the next quote not doubled.
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return undefined;
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Tolerate stray characters between the closing quote and the comma (kept, as most readers do).
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      if (end > i) value += text.slice(i, end);
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Parses one complete CSV line; throws when a quoted field is left open. */
export function parseCsvLine(line: string): string[] {
  const fields = tryParseCsvRecord(line);
  if (!fields) throw new Error(`Unterminated quoted field in CSV line: ${line.slice(0, 120)}`);
  return fields;
}

/** CSV records of a text stream, one at a time (see `csvRecordBatches`). */
export async function* csvRecords(text: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string[]> {
  for await (const batch of csvRecordBatches(text)) yield* batch;
}

/* ------------------------------------------------------------------------------------------------ */
/* Invoice lines                                                                                    */
/* ------------------------------------------------------------------------------------------------ */

export interface InvoiceLine {
  invoiceNo: string;
  /**
   * The product code, upper-cased: the data spells a few codes both ways ('85123A' and '85123a', same
   * product and description), and the catalog keeps one product per code.
   */
  stockCode: string;
  description: string;
  /** Negative on cancellations and stock adjustments. */
  quantity: number;
  /** ISO 8601 UTC ('2010-12-01T08:26:00.000Z'); the data's naive UK local times are taken as UTC. */
  invoiceDate: string;
  /** GBP per unit. */
  unitPrice: number;
  customerId?: string;
  country: string;
  /** InvoiceNo starts with 'C'. */
  cancelled: boolean;
}

const COLUMNS = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'] as const;

/** The dataset's files, in name (= calendar) order: *.csv.gz and *.csv. Empty when the directory is absent. */
export async function listDatasetFiles(datasetDir: string): Promise<string[]> {
  if (!existsSync(datasetDir)) return [];
  const names = await readdir(datasetDir);
  return names
    .filter((n) => /\.csv(\.gz)?$/i.test(n))
    .sort()
    .map((n) => path.join(datasetDir, n));
}

const ISO_NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const UCI_NAIVE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/; // the original spreadsheet's M/D/YYYY H:MM

/** A naive timestamp from the data as an ISO UTC string. */
export function toIsoUtc(raw: string): string {
  const iso = ISO_NAIVE.exec(raw);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}T${iso[4]}:${iso[5]}:${iso[6] ?? '00'}.000Z`;
  const uci = UCI_NAIVE.exec(raw);
  if (uci) return new Date(Date.UTC(+uci[3], +uci[1] - 1, +uci[2], +uci[4], +uci[5])).toISOString();
  throw new Error(`Unrecognised InvoiceDate: ${raw}`);
}

function toNumber(raw: string, column: string, where: () => string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`Bad ${column} '${raw}' at ${where()}`);
  return value;
}

/**
 * Decoded text of one file in chunks, gunzipped when its name ends in .gz; `onBytes` counts the bytes
 * read from disk.
 */
function fileText(file: string, onBytes?: (n: number) => void): Readable {
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  let input: Readable = raw;
  if (file.endsWith('.gz')) {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    raw.on('error', (e) => gunzip.destroy(e));
    input = raw.pipe(gunzip);
  }
  input.setEncoding('utf8');
  return input;
}

/**
 * CSV records of a text stream, a batch per chunk read: lines split on LF (a CR before it dropped),
 * lines joined while a quoted field is open, a byte-order mark dropped, blank lines skipped.
 */
export async function* csvRecordBatches(text: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string[][]> {
  let carry = '';
  let pending: string | undefined;
  let first = true;
  const take = (line: string, batch: string[][]) => {
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    const record = pending === undefined ? line : `${pending}\n${line}`;
    if (pending === undefined && record === '') return;
    const fields = tryParseCsvRecord(record);
    if (fields) {
      pending = undefined;
      batch.push(fields);
    } else {
      pending = record;
    }
  };
  for await (let chunk of text) {
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const batch: string[][] = [];
    let from = 0;
    let nl = chunk.indexOf('\n');
    if (nl >= 0 && carry) {
      take(carry + chunk.slice(0, nl), batch);
      carry = '';
      from = nl + 1;
      nl = chunk.indexOf('\n', from);
    }
    while (nl >= 0) {
      take(chunk.slice(from, nl), batch);
      from = nl + 1;
      nl = chunk.indexOf('\n', from);
    }
    carry += chunk.slice(from);
    if (batch.length) yield batch;
  }
  const batch: string[][] = [];
  if (carry) take(carry, batch);
  if (pending !== undefined) throw new Error(`Unterminated quoted field at end of CSV: ${pending.slice(0, 120)}`);
  if (batch.length) yield batch;
}

export interface ReadInvoiceLinesOptions {
  /** Compressed bytes read so far, of the total size of the files. */
  onProgress?: (done: number, total: number) => void;
}

type ColumnIndex = Record<(typeof COLUMNS)[number], number>;

function columnIndex(fields: string[], file: string): ColumnIndex {
  const names = fields.map((f) => f.trim());
  const index = {} as ColumnIndex;
  for (const column of COLUMNS) {
    index[column] = names.indexOf(column);
    if (index[column] < 0) throw new Error(`${path.basename(file)}: header lacks column ${column}`);
  }
  return index;
}

/**
 * The dataset's invoice lines in batches (one per chunk read), file after file in calendar order,
 * typed. Columns are found by their header names; a malformed line throws, naming file and record.
 * The fast way through the whole set; `readInvoiceLines` gives the same lines one at a time.
 */
export async function* readInvoiceLineBatches(datasetDir: string, options: ReadInvoiceLinesOptions = {}): AsyncGenerator<InvoiceLine[]> {
  const files = await listDatasetFiles(datasetDir);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const { onProgress } = options;
  const onBytes = onProgress
    ? (n: number) => {
        done += n;
        onProgress(Math.min(done, total), total);
      }
    : undefined;

  // Lines of one invoice share a timestamp: convert each distinct one once.
  let lastRawDate = '';
  let lastIsoDate = '';

  for (const file of files) {
    let header: ColumnIndex | undefined;
    let recordNo = 0;
    for await (const records of csvRecordBatches(fileText(file, onBytes))) {
      const lines: InvoiceLine[] = [];
      for (const fields of records) {
        recordNo++;
        if (!header) {
          header = columnIndex(fields, file);
          continue;
        }
        const where = () => `${path.basename(file)} record ${recordNo}`;
        if (fields.length < COLUMNS.length) throw new Error(`Expected ${COLUMNS.length} fields, found ${fields.length} at ${where()}`);
        const invoiceNo = fields[header.InvoiceNo].trim();
        const rawDate = fields[header.InvoiceDate].trim();
        if (rawDate !== lastRawDate) {
          lastIsoDate = toIsoUtc(rawDate);
          lastRawDate = rawDate;
        }
        const customerId = fields[header.CustomerID].trim();
        const line: InvoiceLine = {
          invoiceNo,
          stockCode: fields[header.StockCode].trim().toUpperCase(),
          description: fields[header.Description].trim(),
          quantity: toNumber(fields[header.Quantity], 'Quantity', where),
          invoiceDate: lastIsoDate,
          unitPrice: toNumber(fields[header.UnitPrice], 'UnitPrice', where),
          country: fields[header.Country].trim(),
          cancelled: invoiceNo.charCodeAt(0) === 67 || invoiceNo.charCodeAt(0) === 99, // 'C' or 'c'
        };
        if (customerId) line.customerId = customerId.endsWith('.0') ? customerId.slice(0, -2) : customerId;
        lines.push(line);
      }
      if (lines.length) yield lines;
    }
  }
  if (onProgress && done < total) onProgress(total, total);
}

/** Every invoice line of the dataset, one at a time (see `readInvoiceLineBatches`). */
export async function* readInvoiceLines(datasetDir: string, options: ReadInvoiceLinesOptions = {}): AsyncGenerator<InvoiceLine> {
  for await (const batch of readInvoiceLineBatches(datasetDir, options)) yield* batch;
}

/* ------------------------------------------------------------------------------------------------ */
/* Catalog                                                                                          */
/* ------------------------------------------------------------------------------------------------ */

/** Codes that bill something other than goods: postage, fees, manual adjustments, samples, vouchers. */
const NON_MERCHANDISE_CODES = new Set(['POST', 'DOT', 'M', 'D', 'C2', 'CRUK', 'BANK CHARGES', 'AMAZONFEE', 'PADS', 'S', 'B']);
/** Descriptions of such lines under ordinary-looking codes (e.g. 23444 'Next Day Carriage', 22016 a voucher). */
const NON_MERCHANDISE_DESCRIPTION =
  /GIFT ?VOUCHER|^(NEXT DAY )?CARRIAGE$|POSTAGE|PACKING CHARGE|HIGH RESOLUTION IMAGE|^(EBAY|AMAZON( FEE)?|MANUAL|DISCOUNT|SAMPLES|BANK CHARGES|ADJUST BAD DEBT)$|COMMISSION$/i;

/**
 * Whether a code is goods. Letter-only codes are the shop's service codes (postage, fees, adjustments),
 * except the web shop's own 'DCGS…' items (party bags); 'gift_0001_*' are vouchers.
 */
export function isMerchandiseCode(stockCode: string): boolean {
  const code = stockCode.trim().toUpperCase();
  if (code === '' || NON_MERCHANDISE_CODES.has(code)) return false;
  if (code.startsWith('GIFT_')) return false;
  if (!/\d/.test(code) && !code.startsWith('DCGS')) return false;
  return true;
}

export const isMerchandiseDescription = (description: string): boolean => !NON_MERCHANDISE_DESCRIPTION.test(description.trim());

interface Tally {
  code: string;
  firstSeen: string;
  /** Latest description on a line with a price (zero-priced lines carry notes such as 'ebay' or 'damaged'). */
  description: string;
  descriptionAt: string;
  /** Latest description on any line: the fallback. */
  anyDescription: string;
  anyDescriptionAt: string;
  price: number;
  priceAt: string;
  /** From cancellation lines: the fallbacks for a code only ever cancelled. */
  cancelledPrice: number;
  cancelledDescription: string;
  invoices: Set<number>;
  /** Units sold per day (days since the epoch), net of cancellations. */
  unitsByDay: Map<number, number>;
}

const DAY_MS = 86_400_000;
/** Days the recent demand is measured over, back from the last day of data. */
export const DEMAND_WINDOW_DAYS = 30;

/** Stock on hand at seeding: 1.5× the units sold in the last 30 days of data, between 10 and 5,000. */
export const stockFromDemand = (recentUnits: number) => Math.min(5000, Math.max(10, Math.round(recentUnits * 1.5)));

/**
 * Folds invoice lines into one product per merchandise StockCode: latest description and latest price
 * (lines priced at least half a penny), distinct invoices that sold it, first date seen, and units sold
 * per day for the stock figure.
 */
export class CatalogBuilder {
  private readonly tallies = new Map<string, Tally>();
  private readonly invoiceIds = new Map<string, number>();
  private lastDay = -Infinity;
  private lastDate = '';
  private lastDateDay = 0;

  add(l: InvoiceLine): void {
    const code = l.stockCode;
    let t = this.tallies.get(code);
    if (!t) {
      if (!isMerchandiseCode(code)) return;
      t = {
        code,
        firstSeen: l.invoiceDate,
        description: '',
        descriptionAt: '',
        anyDescription: '',
        anyDescriptionAt: '',
        price: 0,
        priceAt: '',
        cancelledPrice: 0,
        cancelledDescription: '',
        invoices: new Set(),
        unitsByDay: new Map(),
      };
      this.tallies.set(code, t);
    }
    const at = l.invoiceDate;
    if (at < t.firstSeen) t.firstSeen = at;
    if (l.description && at >= t.anyDescriptionAt) {
      t.anyDescription = l.description;
      t.anyDescriptionAt = at;
    }
    // Prices under half a penny ('PADS' at £0.001) round to nothing: not a sale price.
    if (!(l.unitPrice >= 0.005)) return;
    if (l.cancelled) {
      // A cancellation takes back units sold (the 80,995 'PAPER CRAFT , LITTLE BIRDIE' of 9 Dec 2011).
      if (!t.cancelledPrice) t.cancelledPrice = l.unitPrice;
      if (!t.cancelledDescription) t.cancelledDescription = l.description;
      if (l.quantity < 0) this.addUnits(t, at, l.quantity);
      return;
    }
    if (l.description && at >= t.descriptionAt) {
      t.description = l.description;
      t.descriptionAt = at;
    }
    if (at >= t.priceAt) {
      t.price = l.unitPrice;
      t.priceAt = at;
    }
    if (l.quantity <= 0) return;
    let invoice = this.invoiceIds.get(l.invoiceNo);
    if (invoice === undefined) this.invoiceIds.set(l.invoiceNo, (invoice = this.invoiceIds.size));
    t.invoices.add(invoice);
    this.addUnits(t, at, l.quantity);
  }

  private addUnits(t: Tally, at: string, units: number): void {
    if (at.slice(0, 10) !== this.lastDate) {
      this.lastDate = at.slice(0, 10);
      this.lastDateDay = Math.floor(Date.parse(`${this.lastDate}T00:00:00Z`) / DAY_MS);
    }
    const day = this.lastDateDay;
    if (day > this.lastDay) this.lastDay = day;
    t.unitsByDay.set(day, (t.unitsByDay.get(day) ?? 0) + units);
  }

  /** The products, by id. Codes never sold at a price, and service lines, are left out. */
  products(): SeedProduct[] {
    const products: SeedProduct[] = [];
    const windowStart = this.lastDay - DEMAND_WINDOW_DAYS;
    for (const t of this.tallies.values()) {
      const price = Math.round((t.price || t.cancelledPrice) * 100);
      if (price <= 0) continue; // only ever billed at zero: adjustments, not products
      const raw = t.description || t.cancelledDescription || t.anyDescription;
      if (!raw || !isMerchandiseDescription(raw)) continue;
      const name = titleCase(raw);
      if (!name) continue;
      const category = categorize(raw);
      const brand = brandOf(raw);
      let recentUnits = 0;
      for (const [day, units] of t.unitsByDay) if (day > windowStart) recentUnits += units;
      recentUnits = Math.max(0, recentUnits);
      products.push({
        id: t.code,
        sku: t.code,
        name,
        description: describeProduct(name, category, brand),
        category,
        brand,
        price,
        currency: 'GBP',
        popularity: t.invoices.size,
        initialStock: stockFromDemand(recentUnits),
        createdAt: t.firstSeen,
      });
    }
    return products.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

/** Builds the catalog from invoice lines (any source: the dataset, or lines a test makes up). */
export async function buildCatalog(lines: AsyncIterable<InvoiceLine> | Iterable<InvoiceLine>): Promise<SeedProduct[]> {
  const builder = new CatalogBuilder();
  if (Symbol.iterator in lines) for (const l of lines) builder.add(l);
  else for await (const l of lines) builder.add(l);
  return builder.products();
}

/**
 * The seed catalog: one product per StockCode of the dataset in `datasetDir` when it holds CSVs,
 * otherwise (no directory given, directory absent, no CSVs in it) the demo catalog.
 */
export async function loadSeedCatalog(options: LoadSeedCatalogOptions = {}): Promise<{ source: 'dataset' | 'demo'; products: SeedProduct[] }> {
  const { datasetDir, onProgress } = options;
  const files = datasetDir ? await listDatasetFiles(datasetDir) : [];
  if (!datasetDir || files.length === 0) {
    return { source: 'demo', products: DEMO_CATALOG.map((p) => ({ ...p })) };
  }
  const builder = new CatalogBuilder();
  for await (const batch of readInvoiceLineBatches(datasetDir, { onProgress })) for (const line of batch) builder.add(line);
  return { source: 'dataset', products: builder.products() };
}
