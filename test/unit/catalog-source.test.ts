import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../catalog-data/categories';
import { CreateProduct, Sku } from '../../functions/catalog/schemas';
import { stockFromDemand, type SeedProduct } from '../../catalog-data/catalog';
import { csvRecords, parseCsvLine, tryParseCsvRecord } from '../../catalog-data/csv';
import { readInvoiceLines, toIsoUtc, type InvoiceLine } from '../../catalog-data/invoice-lines';
import { isMerchandiseCode } from '../../catalog-data/merchandise';
import { loadSeedCatalog } from '@ecicomm/local-platform/seed/catalog-source';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const HEADER = '"InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"';

/** A product as the schema that API writes go through sees it. */
const asCreateProduct = (p: SeedProduct) => ({
  sku: p.sku,
  name: p.name,
  description: p.description,
  category: p.category,
  brand: p.brand,
  price: p.price,
  currency: p.currency,
  initialStock: p.initialStock,
});

describe('CSV parsing', () => {
  it('splits plain fields', () => {
    expect(parseCsvLine('536365,85123A,6,2.55')).toEqual(['536365', '85123A', '6', '2.55']);
  });

  it('keeps commas inside quoted fields', () => {
    expect(parseCsvLine('"536367","21216","SET 3 RETROSPOT TEA,COFFEE,SUGAR",4')).toEqual([
      '536367',
      '21216',
      'SET 3 RETROSPOT TEA,COFFEE,SUGAR',
      '4',
    ]);
  });

  it('reads doubled quotes as one quote', () => {
    expect(parseCsvLine('"22041","RECORD FRAME 7"" SINGLE SIZE",48')).toEqual([
      '22041',
      'RECORD FRAME 7" SINGLE SIZE',
      '48',
    ]);
    expect(parseCsvLine('"85071C","CHARLIE+LOLA""EXTREMELY BUSY"" SIGN"')).toEqual([
      '85071C',
      'CHARLIE+LOLA"EXTREMELY BUSY" SIGN',
    ]);
    expect(parseCsvLine('"""quoted"""')).toEqual(['"quoted"']);
    expect(parseCsvLine('""')).toEqual(['']);
  });

  it('keeps empty fields, leading, inner and trailing', () => {
    expect(parseCsvLine('"536544","90214D",1,"2010-12-01T14:32:00",0.85,,"United Kingdom"')).toEqual([
      '536544',
      '90214D',
      '1',
      '2010-12-01T14:32:00',
      '0.85',
      '',
      'United Kingdom',
    ]);
    expect(parseCsvLine(',a,')).toEqual(['', 'a', '']);
    expect(parseCsvLine('"a",""')).toEqual(['a', '']);
    expect(parseCsvLine('')).toEqual(['']);
  });

  it('reports an open quoted field', () => {
    expect(tryParseCsvRecord('"a","b')).toBeUndefined();
    expect(() => parseCsvLine('"a","b')).toThrow(/Unterminated/);
  });

  it('reads records across chunk boundaries, line breaks inside quotes, CRLF and a byte-order mark', async () => {
    const text = '\ufeffa,b\r\n"x, y","line one\nline two"\r\n\r\n"say ""hi""",3\n"last",4';
    const whole: string[][] = [];
    for await (const r of csvRecords([text])) whole.push(r);
    expect(whole).toEqual([
      ['a', 'b'],
      ['x, y', 'line one\nline two'],
      ['say "hi"', '3'],
      ['last', '4'],
    ]);
    for (const size of [1, 2, 3, 7, 11]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.slice(i * size, (i + 1) * size),
      );
      const records: string[][] = [];
      for await (const r of csvRecords(chunks)) records.push(r);
      expect(records, `chunks of ${size}`).toEqual(whole);
    }
  });

  it('converts naive timestamps to ISO UTC', () => {
    expect(toIsoUtc('2010-12-01T08:26:00')).toBe('2010-12-01T08:26:00.000Z');
    expect(toIsoUtc('2010-12-01 08:26')).toBe('2010-12-01T08:26:00.000Z');
    expect(toIsoUtc('12/1/2010 8:26')).toBe('2010-12-01T08:26:00.000Z');
    expect(() => toIsoUtc('yesterday')).toThrow(/InvoiceDate/);
  });
});

describe('merchandise codes', () => {
  it.each([
    'POST',
    'DOT',
    'M',
    'm',
    'D',
    'C2',
    'CRUK',
    'BANK CHARGES',
    'AMAZONFEE',
    'PADS',
    'S',
    'B',
    'gift_0001_10',
    'GIFT_0001_50',
  ])('%s is not merchandise', (code) => expect(isMerchandiseCode(code)).toBe(false));
  it.each(['85123A', '22041', '15056BL', 'DCGSSBOY', 'DCGS0076'])('%s is merchandise', (code) =>
    expect(isMerchandiseCode(code)).toBe(true),
  );
});

describe('stockFromDemand', () => {
  it('is 1.5× recent units, between 10 and 5,000', () => {
    expect(stockFromDemand(0)).toBe(10);
    expect(stockFromDemand(1)).toBe(10);
    expect(stockFromDemand(10)).toBe(15);
    expect(stockFromDemand(2000)).toBe(3000);
    expect(stockFromDemand(80_000)).toBe(5000);
  });
});

describe('dataset catalog from a fixture directory', () => {
  let dir: string;
  let emptyDir: string;

  // Two months; the second with CRLF line ends. Last day of data: 2011-02-23, so the 30-day demand
  // window runs 2011-01-25 to 2011-02-23.
  const january = [
    HEADER,
    '"536365","85123A","WHITE HANGING HEART T-LIGHT HOLDER",6,"2011-01-05T08:26:00",2.55,17850,"United Kingdom"',
    '"536365","22041","RECORD FRAME 7"" SINGLE SIZE",48,"2011-01-05T08:26:00",2.1,17850,"United Kingdom"',
    '"536366","85123a","WHITE HANGING HEART T-LIGHT HOLDER",2,"2011-01-06T09:00:00",2.95,,"United Kingdom"',
    '"536366","POST","POSTAGE",1,"2011-01-06T09:00:00",18,,"United Kingdom"',
    '"536367","21216","SET 3 RETROSPOT TEA,COFFEE,SUGAR",4,"2011-01-07T10:00:00",4.95,12583,"France"',
    '"536368","90000X","damaged",-5,"2011-01-08T10:00:00",0,,"United Kingdom"',
    '"C536369","85123A","WHITE HANGING HEART T-LIGHT HOLDER",-2,"2011-01-09T10:00:00",2.55,17850,"United Kingdom"',
    '"536370","gift_0001_10","Dotcomgiftshop Gift Voucher £10.00",1,"2011-01-10T10:00:00",8.5,,"United Kingdom"',
    '"536371","23444","Next Day Carriage",1,"2011-01-10T10:00:00",15,,"United Kingdom"',
    '"536371","22999","LETTER\nPRESS",1,"2011-01-10T10:00:00",1.25,,"United Kingdom"',
  ].join('\n');
  const february = [
    HEADER,
    '"536400","85123A","CREAM HANGING HEART T-LIGHT HOLDER",10,"2011-02-20T12:00:00",2.95,13047,"United Kingdom"',
    '"536400","21216","SET 3 RETROSPOT TEA,COFFEE,SUGAR",1,"2011-02-20T12:00:00",5.45,13047,"United Kingdom"',
    '"536401","85123A","?",-3,"2011-02-21T12:00:00",0,,"United Kingdom"',
    '"536402","22041","RECORD FRAME 7"" SINGLE SIZE",2000,"2011-02-22T12:00:00",1.9,14000,"United Kingdom"',
    '"536402","22041","RECORD FRAME 7"" SINGLE SIZE",1500,"2011-02-22T12:00:00",1.9,14000,"United Kingdom"',
    '"C536403","22041","RECORD FRAME 7"" SINGLE SIZE",-1500,"2011-02-23T12:00:00",1.9,14000,"United Kingdom"',
    '',
  ].join('\r\n');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eci-seed-'));
    await writeFile(path.join(dir, 'online_retail_2011-01.csv.gz'), gzipSync(january));
    await writeFile(path.join(dir, 'online_retail_2011-02.csv.gz'), gzipSync(february));
    await writeFile(path.join(dir, 'README.md'), '# not data\n');
    emptyDir = await mkdtemp(path.join(tmpdir(), 'eci-seed-empty-'));
    await writeFile(path.join(emptyDir, 'README.md'), '# no CSVs here\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(emptyDir, { recursive: true, force: true });
  });

  it('reads typed invoice lines, file after file', async () => {
    const lines: InvoiceLine[] = [];
    for await (const line of readInvoiceLines(dir)) lines.push(line);
    expect(lines).toHaveLength(16);
    expect(lines[0]).toEqual({
      invoiceNo: '536365',
      stockCode: '85123A',
      description: 'WHITE HANGING HEART T-LIGHT HOLDER',
      quantity: 6,
      invoiceDate: '2011-01-05T08:26:00.000Z',
      unitPrice: 2.55,
      customerId: '17850',
      country: 'United Kingdom',
      cancelled: false,
    });
    expect(lines[1].description).toBe('RECORD FRAME 7" SINGLE SIZE');
    expect(lines[2].stockCode).toBe('85123A'); // '85123a' in the data
    expect(lines[2]).not.toHaveProperty('customerId');
    expect(lines[4].description).toBe('SET 3 RETROSPOT TEA,COFFEE,SUGAR');
    expect(lines[6]).toMatchObject({ invoiceNo: 'C536369', quantity: -2, cancelled: true });
    expect(lines[9].description).toBe('LETTER\nPRESS');
    expect(lines[15]).toMatchObject({
      invoiceNo: 'C536403',
      invoiceDate: '2011-02-23T12:00:00.000Z',
      country: 'United Kingdom',
    });
  });

  it('builds one product per merchandise code with price, popularity, stock and first date', async () => {
    const progress: [number, number][] = [];
    const { source, products } = await loadSeedCatalog({
      datasetDir: dir,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(source).toBe('dataset');
    expect(products.map((p) => p.id)).toEqual(['21216', '22041', '22999', '85123A']);
    const byId = Object.fromEntries(products.map((p) => [p.id, p]));

    expect(byId['85123A']).toEqual({
      id: '85123A',
      sku: '85123A',
      // The latest description on a priced line; the zero-priced '?' note does not count.
      name: 'Cream Hanging Heart T-Light Holder',
      description: 'Cream Hanging Heart T-Light Holder — from our Lighting range.',
      category: 'lighting',
      brand: 'ECI Home',
      price: 295,
      currency: 'GBP',
      // 536365, 536366 ('85123a') and 536400; not the cancellation nor the zero-priced adjustment.
      popularity: 3,
      initialStock: 15, // 10 units in the window × 1.5
      createdAt: '2011-01-05T08:26:00.000Z',
    });
    expect(byId['22041']).toMatchObject({
      name: 'Record Frame 7" Single Size',
      category: 'home-decor',
      price: 190,
      popularity: 2, // one invoice, two lines
      initialStock: 3000, // 2000 + 1500 − 1500 cancelled, × 1.5
      createdAt: '2011-01-05T08:26:00.000Z',
    });
    expect(byId['21216']).toMatchObject({
      name: 'Set 3 Retrospot Tea, Coffee, Sugar',
      category: 'kitchen-dining',
      brand: 'Retrospot',
      price: 545,
      popularity: 2,
      initialStock: 10, // 1 unit in the window: the floor
      createdAt: '2011-01-07T10:00:00.000Z',
    });
    expect(byId['22999']).toMatchObject({ name: 'Letter Press', price: 125, popularity: 1, initialStock: 10 });

    for (const p of products) expect(CreateProduct.safeParse(asCreateProduct(p)).success, p.id).toBe(true);

    expect(progress.length).toBeGreaterThan(0);
    const [done, total] = progress.at(-1)!;
    expect(done).toBe(total);
    expect(total).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
  });

  it('falls back to the demo catalog when the directory is missing, not given, or holds no CSVs', async () => {
    for (const datasetDir of [path.join(dir, 'does-not-exist'), undefined, emptyDir]) {
      const { source, products } = await loadSeedCatalog({ datasetDir });
      expect(source, String(datasetDir)).toBe('demo');
      expect(products).toEqual(DEMO_CATALOG);
    }
  });
});

describe('demo catalog', () => {
  it('is a small gift shop across every category, valid as API input', () => {
    expect(DEMO_CATALOG.length).toBeGreaterThanOrEqual(30);
    expect(DEMO_CATALOG.length).toBeLessThanOrEqual(60);
    expect(new Set(DEMO_CATALOG.map((p) => p.category))).toEqual(new Set(CATEGORIES));
    expect(new Set(DEMO_CATALOG.map((p) => p.id)).size).toBe(DEMO_CATALOG.length);
    expect(new Set(DEMO_CATALOG.map((p) => p.sku)).size).toBe(DEMO_CATALOG.length);
    for (const p of DEMO_CATALOG) {
      expect(Sku.safeParse(p.sku).success, p.sku).toBe(true);
      expect(p.id).toBe(p.sku);
      expect(Number.isInteger(p.price) && p.price > 0, p.id).toBe(true);
      expect(p.currency).toBe('GBP');
      expect(Number.isInteger(p.initialStock) && p.initialStock >= 0, p.id).toBe(true);
      expect(p.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(CreateProduct.safeParse(asCreateProduct(p)).success, p.id).toBe(true);
    }
  });
});

const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');

describe('the real dataset', () => {
  it.runIf(existsSync(datasetDir))(
    'loads a plausible catalog',
    async () => {
      const started = performance.now();
      let last: [number, number] = [0, 0];
      const { source, products } = await loadSeedCatalog({
        datasetDir,
        onProgress: (done, total) => (last = [done, total]),
      });
      const seconds = (performance.now() - started) / 1000;
      expect(source).toBe('dataset');
      expect(products.length).toBeGreaterThanOrEqual(3500);
      expect(products.length).toBeLessThanOrEqual(4100);
      expect(new Set(products.map((p) => p.id)).size).toBe(products.length);
      expect(last[0]).toBe(last[1]);

      for (const p of products) {
        expect(Number.isInteger(p.price) && p.price > 0, p.id).toBe(true);
        expect(p.initialStock, p.id).toBeGreaterThanOrEqual(10);
        expect(p.initialStock, p.id).toBeLessThanOrEqual(5000);
        expect(p.createdAt).toMatch(/^201[01]-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
      }
      const invalid = products.filter((p) => !CreateProduct.safeParse(asCreateProduct(p)).success);
      expect(invalid.map((p) => p.id)).toEqual([]);

      const heart = products.find((p) => p.id === '85123A');
      expect(heart).toMatchObject({ category: 'lighting', currency: 'GBP' });
      expect(heart!.popularity).toBeGreaterThan(2000);
      for (const code of ['POST', 'DOT', 'M', 'BANK CHARGES', 'AMAZONFEE', 'GIFT_0001_10', '23444']) {
        expect(
          products.some((p) => p.id === code),
          code,
        ).toBe(false);
      }

      const other = products.filter((p) => p.category === 'other').length / products.length;
      expect(other).toBeLessThan(0.15);
      const categories = new Set(products.map((p) => p.category));
      for (const c of CATEGORIES) if (c !== 'other') expect(categories.has(c), c).toBe(true);
      const branded = products.filter((p) => p.brand !== 'ECI Home').length / products.length;
      expect(branded).toBeGreaterThan(0.3);

      console.info(
        `real dataset: ${products.length} products in ${seconds.toFixed(2)} s, ${(other * 100).toFixed(1)} % other`,
      );
    },
    60_000,
  );
});
