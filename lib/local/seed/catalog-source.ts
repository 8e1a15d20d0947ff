/**
 * The seed catalog's source: the UCI Online Retail dataset read in place (monthly gzipped CSVs), or the
 * project's own demo catalog where the dataset is absent. Nothing read here is written back into the
 * repository; the catalog is derived afresh on every load.
 *
 * The CSV reading is exported for other modules (analytics replay, recommendations): `parseCsvLine`,
 * `csvRecords` and `readInvoiceLines`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
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

/**
 * CSV records from a stream of text lines, joining lines while a quoted field is open (a field with a
 * line break in it). A byte-order mark on the first line is dropped.
 */
export async function* csvRecords(lines: AsyncIterable<string>): AsyncGenerator<string[]> {
  let pending: string | undefined;
  let first = true;
  for await (let line of lines) {
    if (first) {
      first = false;
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
    const text = pending === undefined ? line : `${pending}\n${line}`;
    const fields = tryParseCsvRecord(text);
    if (fields) {
      pending = undefined;
      yield fields;
    } else {
      pending = text;
    }
  }
  if (pending !== undefined) throw new Error(`Unterminated quoted field at end of CSV: ${pending.slice(0, 120)}`);
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

/** Text lines of one file, gunzipped when its name ends in .gz; `onBytes` counts the bytes read from disk. */
function fileLines(file: string, onBytes?: (n: number) => void): AsyncIterable<string> {
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  let input: Readable = raw;
  if (file.endsWith('.gz')) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    input = raw.pipe(gunzip);
  }
  input.setEncoding('utf8');
  return createInterface({ input, crlfDelay: Infinity });
}

export interface ReadInvoiceLinesOptions {
  /** Compressed bytes read so far, of the total size of the files. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Every invoice line of the dataset, file after file in calendar order, typed. Columns are found by
 * their header names. Blank lines are skipped; a malformed line throws, naming the file and line.
 */
export async function* readInvoiceLines(datasetDir: string, options: ReadInvoiceLinesOptions = {}): AsyncGenerator<InvoiceLine> {
  const files = await listDatasetFiles(datasetDir);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const onBytes = options.onProgress
    ? (n: number) => {
        done += n;
        options.onProgress!(Math.min(done, total), total);
      }
    : undefined;

  for (const file of files) {
    let header: Record<(typeof COLUMNS)[number], number> | undefined;
    let lineNo = 0;
    const where = () => `${path.basename(file)} record ${lineNo}`;
    for await (const fields of csvRecords(fileLines(file, onBytes))) {
      lineNo++;
      if (!header) {
        const names = fields.map((f) => f.trim());
        const index = {} as Record<(typeof COLUMNS)[number], number>;
        for (const column of COLUMNS) {
          index[column] = names.indexOf(column);
          if (index[column] < 0) throw new Error(`${path.basename(file)}: header lacks column ${column}`);
        }
        header = index;
        continue;
      }
      if (fields.length === 1 && fields[0] === '') continue;
      const invoiceNo = fields[header.InvoiceNo].trim();
      const customerId = fields[header.CustomerID]?.trim();
      const line: InvoiceLine = {
        invoiceNo,
        stockCode: fields[header.StockCode].trim().toUpperCase(),
        description: (fields[header.Description] ?? '').trim(),
        quantity: toNumber(fields[header.Quantity], 'Quantity', where),
        invoiceDate: toIsoUtc(fields[header.InvoiceDate].trim()),
        unitPrice: toNumber(fields[header.UnitPrice], 'UnitPrice', where),
        country: (fields[header.Country] ?? '').trim(),
        cancelled: invoiceNo.startsWith('C') || invoiceNo.startsWith('c'),
      };
      if (customerId) line.customerId = customerId.replace(/\.0+$/, '');
      yield line;
    }
  }
  if (onBytes && done < total) options.onProgress!(total, total);
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
  description: string;
  descriptionAt: string;
  /** Fallback description from any line (zero-priced lines carry notes such as 'ebay' or 'damaged'). */
  anyDescription: string;
  anyDescriptionAt: string;
  price: number;
  priceAt: string;
  invoices: Set<number>;
  /** Units sold per day (days since the epoch). */
  unitsByDay: Map<number, number>;
}

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS);

/** Stock on hand at seeding: 1.5× the units sold in the last 30 days of data, between 10 and 5,000. */
export const stockFromDemand = (recentUnits: number) => Math.min(5000, Math.max(10, Math.round(recentUnits * 1.5)));

/** Builds the catalog from invoice lines (any source: the dataset, or lines a test makes up). */
export async function buildCatalog(lines: AsyncIterable<InvoiceLine> | Iterable<InvoiceLine>): Promise<SeedProduct[]> {
  const tallies = new Map<string, Tally>();
  const invoiceIds = new Map<string, number>();
  let lastDay = -Infinity;

  for await (const l of lines) {
    const code = l.stockCode;
    if (!isMerchandiseCode(code)) continue;
    let t = tallies.get(code);
    if (!t) {
      t = {
        code,
        firstSeen: l.invoiceDate,
        description: '',
        descriptionAt: '',
        anyDescription: '',
        anyDescriptionAt: '',
        price: 0,
        priceAt: '',
        invoices: new Set(),
        unitsByDay: new Map(),
      };
      tallies.set(code, t);
    }
    const at = l.invoiceDate;
    if (at < t.firstSeen) t.firstSeen = at;
    if (l.description && at >= t.anyDescriptionAt) {
      t.anyDescription = l.description;
      t.anyDescriptionAt = at;
    }
    // Prices under half a penny ('PADS' at £0.001) round to nothing: not a sale price.
    if (!(l.unitPrice >= 0.005)) continue;
    if (l.description && at >= t.descriptionAt) {
      t.description = l.description;
      t.descriptionAt = at;
    }
    if (at >= t.priceAt) {
      t.price = l.unitPrice;
      t.priceAt = at;
    }
    if (l.cancelled || l.quantity <= 0) continue;
    let invoice = invoiceIds.get(l.invoiceNo);
    if (invoice === undefined) invoiceIds.set(l.invoiceNo, (invoice = invoiceIds.size));
    t.invoices.add(invoice);
    const day = dayOf(at);
    if (day > lastDay) lastDay = day;
    t.unitsByDay.set(day, (t.unitsByDay.get(day) ?? 0) + l.quantity);
  }

  const products: SeedProduct[] = [];
  for (const t of tallies.values()) {
    if (t.price <= 0) continue; // only ever billed at zero: adjustments, not products
    const raw = t.description || t.anyDescription;
    if (!raw || !isMerchandiseDescription(raw)) continue;
    const name = titleCase(raw);
    const category = categorize(raw);
    const brand = brandOf(raw);
    let recentUnits = 0;
    for (const [day, units] of t.unitsByDay) if (day > lastDay - 30) recentUnits += units;
    products.push({
      id: t.code,
      sku: t.code,
      name,
      description: describeProduct(name, category, brand),
      category,
      brand,
      price: Math.round(t.price * 100),
      currency: 'GBP',
      popularity: t.invoices.size,
      initialStock: stockFromDemand(recentUnits),
      createdAt: t.firstSeen,
    });
  }
  products.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return products;
}

/**
 * The seed catalog: one product per StockCode of the dataset in `datasetDir` when it holds CSVs,
 * otherwise the demo catalog.
 */
export async function loadSeedCatalog(options: LoadSeedCatalogOptions = {}): Promise<{ source: 'dataset' | 'demo'; products: SeedProduct[] }> {
  const { datasetDir, onProgress } = options;
  const files = datasetDir ? await listDatasetFiles(datasetDir) : [];
  if (!datasetDir || files.length === 0) {
    return { source: 'demo', products: DEMO_CATALOG.map((p) => ({ ...p })) };
  }
  const products = await buildCatalog(readInvoiceLines(datasetDir, { onProgress }));
  return { source: 'dataset', products };
}
