/**
 * The container's bundle (ml/Dockerfile's esbuild step, run here as the Dockerfile writes it, into a temporary
 * folder instead of /opt/program) starts and serves either model: the image backs both endpoints.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeTestInsightsModel } from '../support/insights-model';
import { writeTestModel } from '../support/recommendation-model';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'ecicomm-container-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The Dockerfile's `RUN npx esbuild …` instruction, its continuation lines joined. */
function bundleCommand(): string {
  const dockerfile = readFileSync(path.join(root, 'ml', 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const run = /^RUN (npx esbuild .*)$/m.exec(dockerfile);
  if (!run) throw new Error('ml/Dockerfile has no RUN npx esbuild instruction');
  return run[1].replaceAll('/opt/program', path.join(dir, 'program'));
}

beforeAll(() => {
  execSync(bundleCommand(), { cwd: root, stdio: 'pipe' });
}, 30_000);

async function serveBundle(modelDir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(dir, 'program', 'serve.mjs'), '--model', modelDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /loaded in \d+ ms: POST (http:\/\/[\d.]+:\d+)\/invocations/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`the bundle exited ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`the bundle is not serving: ${out}`)), 15_000).unref();
  });
  return { url, stop: () => void child.kill('SIGTERM') };
}

const invoke = async (url: string, body: unknown) =>
  (await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json())) as Record<string, unknown>;

describe("the container's bundle", () => {
  it('serves an insights model', async () => {
    const served = await serveBundle(writeTestInsightsModel(path.join(dir, 'insights')));
    try {
      expect(await invoke(served.url, { task: 'pricing', productId: 'ECI-KD-001', currentPrice: 6.5 })).toMatchObject({
        suggestedPrice: 7.5,
      });
    } finally {
      served.stop();
    }
  }, 20_000);

  it('serves a recommendation model', async () => {
    const served = await serveBundle(writeTestModel(path.join(dir, 'recs')));
    try {
      expect(await invoke(served.url, { history: [], k: 2 })).toMatchObject({ items: expect.any(Array) });
    } finally {
      served.stop();
    }
  }, 20_000);
});
