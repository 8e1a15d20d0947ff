/**
 * Small datasets in the UCI Online Retail format (monthly gzipped CSVs, the same header and quoting), for
 * tests and demos of training without the real data.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface SyntheticLine {
  invoiceNo: string;
  stockCode: string;
  description?: string;
  quantity: number;
  /** Naive local time, 'YYYY-MM-DDTHH:MM:SS' (as in the dataset). */
  invoiceDate: string;
  unitPrice?: number;
  /** Empty or undefined: no customer. */
  customerId?: string;
  country?: string;
}

const HEADER = '"InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"';
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** One CSV line in the dataset's format. */
export function csvLine(l: SyntheticLine): string {
  return [
    quote(l.invoiceNo),
    quote(l.stockCode),
    quote(l.description ?? `PRODUCT ${l.stockCode}`),
    String(l.quantity),
    quote(l.invoiceDate),
    String(l.unitPrice ?? 1.25),
    l.customerId ?? '',
    quote(l.country ?? 'United Kingdom'),
  ].join(',');
}

/** Writes `lines` into `dir` as online_retail_YYYY-MM.csv.gz files, one per calendar month. Returns the files. */
export async function writeSyntheticDataset(dir: string, lines: SyntheticLine[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const byMonth = new Map<string, string[]>();
  for (const l of lines) {
    const month = l.invoiceDate.slice(0, 7);
    let list = byMonth.get(month);
    if (!list) byMonth.set(month, (list = []));
    list.push(csvLine(l));
  }
  const files: string[] = [];
  for (const [month, list] of [...byMonth].sort()) {
    const file = path.join(dir, `online_retail_${month}.csv.gz`);
    await writeFile(file, gzipSync(`${HEADER}\n${list.join('\n')}\n`));
    files.push(file);
  }
  return files;
}
