/**
 * The demand-insights training glue (ml/src/insights/train.ts) on a small real history — the demo catalog's
 * synthetic one (4,850 invoices) — and the child process `npm start` runs it in (train-model-child --model
 * insights). The models themselves are tested on hand-made data in forecast-*, segments-* and pricing-*.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InsightsArtifact, INSIGHTS_FORMAT } from '../../ml/src/insights/contract';
import { trainInsights, writeInsightsArtifact } from '../../ml/src/insights/train';
import { isMonday } from '../../ml/src/forecast/weeks';
import { untarFiles } from '../../ml/src/train/artifact';
import { DEMO_CATALOG } from '@ecicomm/local-platform/seed/demo-catalog';
import { writeDemoHistory } from '@ecicomm/local-platform/seed/demo-history';

const projectRoot = path.resolve(import.meta.dirname, '../..');
let scratch: string;
let history: ReturnType<typeof writeDemoHistory>;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'insights-train-'));
  history = writeDemoHistory(path.join(scratch, 'history'), DEMO_CATALOG);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('trainInsights', () => {
  it('trains the three models at the Monday after the last purchase, as a valid artifact', async () => {
    const stages = new Set<string>();
    const artifact = await trainInsights({ datasetDir: history.dir, onProgress: (stage) => stages.add(stage) });
    expect(InsightsArtifact.parse(artifact)).toBeTruthy();
    expect(artifact.format).toBe(INSIGHTS_FORMAT);
    expect(isMonday(artifact.asOf)).toBe(true);
    // The history's last invoice is the day before `history.until`; the cut is the Monday of the week after it.
    const lastDay = new Date(Date.parse(`${history.until}T00:00:00Z`) - 86_400_000);
    const cut = Date.parse(`${artifact.asOf}T00:00:00Z`);
    expect(cut).toBeGreaterThan(lastDay.getTime());
    expect(cut - lastDay.getTime()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(artifact.version).toMatch(new RegExp(`^${artifact.asOf}\\.insights\\.[0-9a-f]{8}$`));
    expect(artifact.forecast.weekStarts[0]).toBe(artifact.asOf);
    expect(artifact.segments.asOf).toBe(artifact.asOf);
    // Every product sold is forecast and priced; every customer is in a segment.
    expect(Object.keys(artifact.forecast.products).length).toBe(DEMO_CATALOG.length);
    expect(Object.keys(artifact.pricing.products).length).toBe(DEMO_CATALOG.length);
    expect(artifact.segments.customers.length).toBe(artifact.segments.segments.reduce((n, s) => n + s.customers, 0));
    expect([...stages]).toEqual(['read history', 'read weeks', 'forecasts', 'segments', 'pricing']);
  });

  it('names the same training the same version: the model, not its timings', async () => {
    const [a, b] = [
      await trainInsights({ datasetDir: history.dir, until: '2025-07-07' }),
      await trainInsights({ datasetDir: history.dir, until: '2025-07-07' }),
    ];
    expect(a.version).toBe(b.version);
    expect(a.forecast.products).toEqual(b.forecast.products);
    expect(a.segments.customers).toEqual(b.segments.customers);
  });

  it('sees only the lines before --until, and refuses a day that is not a Monday', async () => {
    const artifact = await trainInsights({ datasetDir: history.dir, until: '2025-07-07' });
    expect(artifact.asOf).toBe('2025-07-07');
    expect(artifact.forecast.historyWeekStarts.at(-1)).toBe('2025-06-30');
    expect(artifact.segments.customers.every((c) => c.recency >= 0)).toBe(true);
    await expect(trainInsights({ datasetDir: history.dir, until: '2025-07-08' })).rejects.toThrow(/not a Monday/);
    await expect(trainInsights({ datasetDir: history.dir, until: '2024-12-30' })).rejects.toThrow(/No purchases/);
  });

  it('writes model.json and a model.tar.gz holding it with metrics.json', async () => {
    const artifact = await trainInsights({ datasetDir: history.dir, until: '2025-07-07' });
    const out = path.join(scratch, 'written');
    await writeInsightsArtifact(out, artifact);
    expect(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'))).toEqual(artifact);
    const files = untarFiles(gunzipSync(readFileSync(path.join(out, 'model.tar.gz'))));
    expect([...files.keys()]).toEqual(['model.json', 'metrics.json']);
    const metrics = JSON.parse(files.get('metrics.json')!.toString('utf8'));
    expect(metrics).toMatchObject({ version: artifact.version, asOf: '2025-07-07' });
    expect(Object.keys(metrics.training.seconds)).toEqual([
      'read history',
      'read weeks',
      'forecasts',
      'segments',
      'pricing',
    ]);
    expect(metrics.segments.k).toBe(artifact.segments.segments.length);
  });
});

describe('train-model-child --model insights', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; messages: { type: string; version?: string; error?: string }[] }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(projectRoot, 'lib/local/train-model-child.ts'), ...args],
        { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
      );
      const messages: { type: string; version?: string; error?: string }[] = [];
      child.on('message', (m: { type: string }) => void messages.push(m));
      child.once('exit', (code) => resolve({ code, messages }));
    });

  it('trains in the background process and renames the model into place', async () => {
    const out = path.join(scratch, 'child-model');
    const { code, messages } = await run(['--model', 'insights', '--data', history.dir, '--out', out]);
    expect(code).toBe(0);
    const done = messages.find((m) => m.type === 'done');
    expect(done?.version).toMatch(/\.insights\./);
    expect(InsightsArtifact.parse(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'))).version).toBe(
      done?.version,
    );
  }, 60_000);

  it('refuses an unknown model with its usage, exit 2', async () => {
    const { code, messages } = await run(['--model', 'weather', '--data', history.dir, '--out', scratch]);
    expect(code).toBe(2);
    expect(messages[0]).toMatchObject({
      type: 'failed',
      error: expect.stringMatching(/--model recommendations\|insights/),
    });
  }, 60_000);
});
