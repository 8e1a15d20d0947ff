import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEANING_RULES } from '../../ml/src/data';
import { recommend, type ModelArtifact } from '../../ml/src/model';
import { writeSyntheticDataset, type SyntheticLine } from '../../ml/src/synthetic';
import { tarFiles, untarFiles } from '../../ml/src/train/artifact';
import { readArtifact, trainModel, writeArtifact } from '../../ml/src/train/index';

/**
 * 20 customers. Group A (1–10) buy A1, A2, A3 together, group B (11–20) B1 and B2; everyone buys P.
 * Five of group A bought OLD in January, five of group B bought NEW in late March. Noise the cleaning
 * drops: postage, a cancellation, lines without a customer, a zero-priced line.
 */
// Product codes carry a digit: letter-only codes are the store's service codes, which cleaning drops.
const A1 = '21001';
const A2 = '21002';
const A3 = '21003';
const B1 = '22001';
const B2 = '22002';
const P = '85123A';
const OLD = '30001';
const NEW = '30002';

function syntheticLines(): SyntheticLine[] {
  const lines: SyntheticLine[] = [];
  let invoice = 600000;
  const buy = (customer: number, day: string, codes: string[]) => {
    const invoiceNo = String(invoice++);
    for (const stockCode of codes)
      lines.push({
        invoiceNo,
        stockCode,
        quantity: 2,
        invoiceDate: `${day}T10:00:00`,
        customerId: String(10000 + customer),
      });
    lines.push({
      invoiceNo,
      stockCode: 'POST',
      description: 'POSTAGE',
      quantity: 1,
      invoiceDate: `${day}T10:00:00`,
      customerId: String(10000 + customer),
    });
  };
  for (let c = 1; c <= 20; c++) {
    const groupA = c <= 10;
    const day = `2011-02-${String(c).padStart(2, '0')}`;
    buy(c, day, groupA ? [A1, A2, A3, P] : [B1, B2, P]);
    if (groupA && c <= 5) buy(c, '2011-01-05', [OLD]);
    if (!groupA && c <= 15) buy(c, '2011-03-25', [NEW]);
    // Bought again in the last days: the holdout's targets.
    if (groupA) buy(c, '2011-03-28', [A1, P]);
  }
  lines.push({
    invoiceNo: 'C600999',
    stockCode: B1,
    quantity: -50,
    invoiceDate: '2011-03-01T10:00:00',
    customerId: '10001',
  });
  for (let i = 0; i < 30; i++)
    lines.push({ invoiceNo: String(700000 + i), stockCode: B1, quantity: 1, invoiceDate: '2011-03-02T10:00:00' });
  lines.push({
    invoiceNo: '700100',
    stockCode: OLD,
    quantity: 1,
    invoiceDate: '2011-03-03T10:00:00',
    customerId: '10020',
    unitPrice: 0,
  });
  return lines;
}

const ids = (list: [string, number][]) => list.map(([id]) => id);

describe('training on a synthetic dataset', () => {
  let dir: string;
  let model: ModelArtifact;
  const stages = new Set<string>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ml-train-'));
    await writeSyntheticDataset(path.join(dir, 'data'), syntheticLines());
    model = await trainModel({
      datasetDir: path.join(dir, 'data'),
      until: '2011-04-01',
      holdoutDays: 5,
      parameters: { neighbourShrink: 0 },
      now: new Date('2011-04-01T00:00:00Z'),
      onProgress: (stage, done, total) => {
        stages.add(stage);
        expect(done).toBeLessThanOrEqual(total);
      },
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('records the window, the cleaning rules and a version', () => {
    expect(model.format).toBe('ecicomm-recs/1');
    expect(model.version).toMatch(/^2011-04-01\.blend\.[0-9a-f]{6}$/);
    expect(model.trainedAt).toBe('2011-04-01T00:00:00.000Z');
    expect(model.dataWindow).toEqual({
      from: '2011-01-05',
      until: '2011-04-01',
      invoices: 20 + 5 + 5 + 10,
      customers: 20,
      items: 8,
    });
    expect(model.cleaning).toBe(CLEANING_RULES);
    expect(model.parameters.neighbourShrink).toBe(0);
    expect([...stages]).toEqual(expect.arrayContaining(['read', 'popularity', 'neighbours', 'holdout']));
  });

  it('ranks by recency-weighted popularity, counting each customer once', () => {
    expect(ids(model.popularity)[0]).toBe(P);
    // OLD and NEW: five customers each; NEW is recent.
    expect(ids(model.popularity).indexOf(NEW)).toBeLessThan(ids(model.popularity).indexOf(OLD));
    // Postage is not a product; lines without a customer do not count (B1 is not lifted above B2).
    expect(ids(model.popularity)).not.toContain('POST');
    const score = new Map(model.popularity);
    expect(score.get(B1)).toBeCloseTo(score.get(B2)!, 6);
  });

  it('finds the products bought together as neighbours', () => {
    expect(ids(model.neighbours[A1]).slice(0, 2).sort()).toEqual([A2, A3]);
    expect(model.neighbours[A1][0][1]).toBeCloseTo(1, 6);
    expect(ids(model.neighbours[B1])[0]).toBe(B2);
    for (const b of [B1, B2]) for (const a of [A1, A2, A3, OLD]) expect(ids(model.neighbours[b])).not.toContain(a);
    expect(model.neighbours.POST).toBeUndefined();
    // Cosine of A1 (10 buyers) and P (20): 10 / sqrt(10 × 20).
    expect(new Map(model.neighbours[A1]).get(P)).toBeCloseTo(10 / Math.sqrt(200), 5);
    expect(
      recommend(model, { history: [], productId: A2, k: 2 })
        .items.map((i) => i.productId)
        .sort(),
    ).toEqual([A1, A3]);
  });

  it('measures itself on the holdout', () => {
    expect(model.metrics?.holdout).toMatchObject({ days: 5, customers: 10 });
    // Group A bought A1 and P again: the blend (their own products first) finds them.
    expect(model.metrics?.blend['hr@10']).toBe(1);
    expect(model.metrics?.blend['recall@10']).toBe(1);
    expect(model.metrics?.popularity['hr@10']).toBe(1);
  });

  it('uses only invoices before --until', async () => {
    const early = await trainModel({
      datasetDir: path.join(dir, 'data'),
      until: '2011-03-01',
      holdoutDays: 0,
      now: new Date(0),
    });
    expect(ids(early.popularity)).not.toContain(NEW);
    expect(early.dataWindow.until).toBe('2011-03-01');
    expect(early.metrics).toBeUndefined();
    const again = await trainModel({
      datasetDir: path.join(dir, 'data'),
      until: '2011-03-01',
      holdoutDays: 0,
      now: new Date(0),
    });
    expect(again).toEqual(early);
    const other = await trainModel({
      datasetDir: path.join(dir, 'data'),
      until: '2011-03-01',
      holdoutDays: 0,
      now: new Date(0),
      parameters: { neighbours: 5 },
    });
    expect(other.version).not.toBe(early.version);
  });

  it('fails clearly on a directory without data', async () => {
    await expect(trainModel({ datasetDir: path.join(dir, 'nothing-here') })).rejects.toThrow(/No cleaned invoices/);
  });

  it('writes model.json and model.tar.gz, and reads either back', async () => {
    const out = path.join(dir, 'model');
    await writeArtifact(out, model);
    expect(JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'))).toEqual(model);
    const files = untarFiles(gunzipSync(await readFile(path.join(out, 'model.tar.gz'))));
    expect([...files.keys()]).toEqual(['model.json']);
    expect(JSON.parse(files.get('model.json')!.toString('utf8'))).toEqual(model);
    expect(await readArtifact(out)).toEqual(model);
    expect(await readArtifact(path.join(out, 'model.tar.gz'))).toEqual(model);
    await unlink(path.join(out, 'model.json'));
    expect(await readArtifact(out)).toEqual(model);
  });

  it('writes a tar the system tar reads', async () => {
    let hasTar = true;
    try {
      execFileSync('tar', ['--version'], { stdio: 'ignore' });
    } catch {
      hasTar = false;
    }
    if (!hasTar) return;
    const out = path.join(dir, 'for-tar');
    await writeArtifact(out, model);
    expect(execFileSync('tar', ['-tzf', path.join(out, 'model.tar.gz')], { encoding: 'utf8' }).trim()).toBe(
      'model.json',
    );
    const extracted = execFileSync('tar', ['-xzOf', path.join(out, 'model.tar.gz'), 'model.json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(JSON.parse(extracted)).toEqual(model);
  });

  it('tars long and non-ASCII content to whole blocks', () => {
    const content = Buffer.from('é'.repeat(700));
    const tar = tarFiles([{ name: 'x.json', content, mtime: new Date(0) }]);
    expect(tar.length % 512).toBe(0);
    expect(untarFiles(tar).get('x.json')).toEqual(content);
  });

  it('refuses what is not a model', async () => {
    const bad = path.join(dir, 'bad');
    await writeArtifact(bad, { ...model, format: 'other' } as unknown as ModelArtifact);
    await expect(readArtifact(bad)).rejects.toThrow(/not a recommendation model artifact/);
    await writeFile(path.join(bad, 'model.json'), JSON.stringify({ ...model, popularity: undefined }));
    await expect(readArtifact(bad)).rejects.toThrow(/popularity/);
    await expect(readArtifact(path.join(dir, 'data'))).rejects.toThrow(/no model.json or model.tar.gz/);
  });
});
