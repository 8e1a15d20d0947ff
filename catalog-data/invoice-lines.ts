/**
 * The UCI Online Retail dataset read in place: its monthly CSVs (gzipped or not) as typed invoice lines,
 * file after file in calendar order. Nothing read here is written back into the repository.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { csvRecordBatches } from './csv';

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

const COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
] as const;

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
export async function* readInvoiceLineBatches(
  datasetDir: string,
  options: ReadInvoiceLinesOptions = {},
): AsyncGenerator<InvoiceLine[]> {
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
        if (fields.length < COLUMNS.length)
          throw new Error(`Expected ${COLUMNS.length} fields, found ${fields.length} at ${where()}`);
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
export async function* readInvoiceLines(
  datasetDir: string,
  options: ReadInvoiceLinesOptions = {},
): AsyncGenerator<InvoiceLine> {
  for await (const batch of readInvoiceLineBatches(datasetDir, options)) yield* batch;
}
