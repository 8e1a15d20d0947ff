/**
 * A small made-up month in the Online Retail dataset's own format (header, quoting, naive ISO times), for the
 * history replay's tests where the real dataset may be absent. It holds every case the replay rules name:
 * customers and a guest, a cancellation, skipped lines of each kind, an invoice left with no line, lines of
 * one invoice not adjacent, a price that rounds differently as a decimal than as a float (1.005), a price
 * under a penny, a description with a comma and quotes, and invoices either side of the range.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const FIXTURE_RANGE = { from: '2009-06-01', to: '2009-06-03' } as const;

/** InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country — as the CSV writes them. */
export const FIXTURE_ROWS: readonly (readonly string[])[] = [
  [
    '899999',
    '85123A',
    'WHITE HANGING HEART T-LIGHT HOLDER',
    '6',
    '2009-05-31T23:59:00',
    '2.55',
    '17850',
    'United Kingdom',
  ],
  [
    '900001',
    '85123A',
    'WHITE HANGING HEART T-LIGHT HOLDER',
    '12',
    '2009-06-01T09:00:00',
    '1.25',
    '12345',
    'United Kingdom',
  ],
  [
    '900001',
    '22633',
    'HAND WARMER UNION JACK, "BRITISH"',
    '3',
    '2009-06-01T09:00:00',
    '0.29',
    '12345',
    'United Kingdom',
  ],
  [
    '900001',
    '21730',
    'GLASS STAR FROSTED T-LIGHT HOLDER',
    '2',
    '2009-06-01T09:01:00',
    '1.005',
    '12345',
    'United Kingdom',
  ],
  ['900002', '84879', 'ASSORTED COLOUR BIRD ORNAMENT', '1', '2009-06-01T10:30:00', '2.10', '', 'United Kingdom'],
  ['900002', 'POST', 'POSTAGE', '1', '2009-06-01T10:30:00', '18', '', 'United Kingdom'],
  ['900003', '22752', 'SET 7 BABUSHKA NESTING BOXES', '-5', '2009-06-01T12:00:00', '7.65', '', 'France'],
  ['900004', '22139', 'damaged', '-10', '2009-06-01T12:00:00', '0', '', 'United Kingdom'],
  ['900003', '21754', 'HOME BUILDING BLOCK WORD', '4', '2009-06-01T12:00:00', '3.75', '', 'France'],
  ['900004', '22140', '', '3', '2009-06-01T12:00:00', '0', '', 'United Kingdom'],
  ['900003', '21755', 'LOVE BUILDING BLOCK WORD', '2', '2009-06-01T12:00:00', '0', '', 'France'],
  [
    'C900005',
    '85123A',
    'WHITE HANGING HEART T-LIGHT HOLDER',
    '-2',
    '2009-06-02T11:00:00',
    '1.25',
    '12345',
    'United Kingdom',
  ],
  [
    'C900005',
    '22633',
    'HAND WARMER UNION JACK, "BRITISH"',
    '-1',
    '2009-06-02T11:00:00',
    '0.29',
    '12345',
    'United Kingdom',
  ],
  ['A900009', 'B', 'Adjust bad debt', '1', '2009-06-02T14:00:00', '-11062.06', '', 'United Kingdom'],
  ['900006', 'PADS', 'PADS TO MATCH ALL CUSHIONS', '100', '2009-06-02T23:59:00', '0.001', '15618', 'United Kingdom'],
  ['900007', '22423', 'REGENCY CAKESTAND 3 TIER', '6', '2009-06-03T00:00:00', '12.75', '22222', 'EIRE'],
  ['900007', '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', '32', '2009-06-03T00:00:00', '2.55', '22222', 'EIRE'],
  ['900008', '22423', 'REGENCY CAKESTAND 3 TIER', '1', '2009-06-04T00:00:00', '12.75', '12345', 'United Kingdom'],
];

const HEADER = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
];
/** Numbers bare, text quoted, as the dataset's files do. */
const NUMERIC = new Set([3, 5, 6]);
const cell = (value: string, i: number) => (NUMERIC.has(i) ? value : `"${value.replace(/"/g, '""')}"`);

export function fixtureCsv(rows: readonly (readonly string[])[] = FIXTURE_ROWS): string {
  return [HEADER.map((h) => `"${h}"`).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** Writes the rows as `<dir>/online_retail_2009-06.csv.gz` and returns the directory. */
export function writeHistoryFixture(dir: string, rows: readonly (readonly string[])[] = FIXTURE_ROWS): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'online_retail_2009-06.csv.gz'), gzipSync(fixtureCsv(rows)));
  return dir;
}
