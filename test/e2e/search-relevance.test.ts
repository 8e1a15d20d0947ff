/**
 * Search relevance on the real catalog: a platform of its own seeded from the Online Retail dataset
 * (DATASET_DIR, default ../shared/data/online-retail), its index made the way `npm start` makes it — loaded from
 * the products table by the reindex's loader, the products stream's indexer then applying the same versions — then
 * each typo'd shopper query of test/support/search-relevance.ts through GET /v1/search, scored by precision@10
 * against the relevant set the catalog's names give. Per-query figures and the mean go to
 * test-output/search-relevance.json.
 *
 * Where the dataset is absent (a fresh clone, CI), the platform seeds the demo catalog; the same queries are
 * scored against it (those with nothing relevant there are listed as not applicable), and the report says so.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot, type Platform } from '@ecicomm/local-platform/platform';
import { loadSeedCatalog } from '@ecicomm/local-platform/seed/catalog-source';
import { CUTOFF, measureRelevance, type RelevanceReport } from '../support/search-relevance';
import { startPlatformOnFreePorts } from '../support/platform-on-free-ports';

/**
 * Below it, typo tolerance is broken rather than merely imperfect: every query is misspelt, so an engine that
 * matched exact terms only could find no relevant product for the 24 one-word queries (a relevant name holds the
 * word spelt right), and its mean would be at most 8/32 = 0.25.
 * DESIGN.md's survey measured 0.885 for OpenSearch-style AUTO fuzziness on this catalog (25 queries of its own),
 * 0.73 for MiniSearch's looser fuzzy + prefix; the floor sits well under them, so ranking noise never fails it.
 * Not asserted: that every query finds something — a faithful engine does not always (a typo after English
 * stemming can be more edits away than AUTO allows: `choclate` → `choclat` against `chocol`); the report lists them.
 */
const MEAN_PRECISION_FLOOR = 0.6;
const INDEXED_WITHIN_MS = 240_000;

const datasetDir = path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail');
const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-relevance-'));
let platform: Platform | undefined;

interface SearchPage {
  total: number;
  items: { id: string; name: string }[];
}

async function search(query: string, limit = CUTOFF): Promise<SearchPage> {
  const url = `${platform!.apiUrl}/v1/search?${new URLSearchParams({ ...(query ? { q: query } : {}), limit: String(limit) })}`;
  const response = await fetch(url);
  const body = (await response.json()) as SearchPage;
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

beforeAll(async () => {
  platform = await startPlatformOnFreePorts({ dataDir, seed: 'dataset', datasetDir });
}, 300_000);

afterAll(async () => {
  const pids = platform?.pids ?? [];
  await platform?.stop().catch(() => undefined);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Stopped already.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('search relevance over the seeded catalog', () => {
  it(
    "finds what typo'd shoppers meant: mean precision@10 over the relevance set above the floor of a working typo tolerance",
    async () => {
      const catalog = await loadSeedCatalog({ datasetDir });
      expect(platform!.seeded).toEqual({ source: catalog.source, products: catalog.products.length });

      // The start loads the index; waiting until it holds the whole catalog also covers an index made otherwise.
      const deadline = Date.now() + INDEXED_WITHIN_MS;
      let indexed: number;
      while ((indexed = (await search('', 1)).total) < catalog.products.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 500));
      expect(indexed).toBe(catalog.products.length);

      const report: RelevanceReport = await measureRelevance(
        { source: catalog.source, products: catalog.products.length, items: catalog.products },
        async (q) => (await search(q)).items,
      );
      mkdirSync(path.join(projectRoot, 'test-output'), { recursive: true });
      writeFileSync(
        path.join(projectRoot, 'test-output', 'search-relevance.json'),
        `${JSON.stringify(report, null, 2)}\n`,
      );
      console.info(
        `search relevance on the ${catalog.source === 'dataset' ? `Online Retail catalog (${datasetDir})` : 'demo catalog (no dataset here)'}: mean P@10 ${report.meanPrecisionAt10.toFixed(3)} over ${report.applicable} queries` +
          ` (${report.meanCorrectlySpeltPrecisionAt10.toFixed(3)} spelt right)` +
          (report.foundNothing.length ? `; found nothing: ${report.foundNothing.join(', ')}` : '') +
          (report.notApplicable.length
            ? `; not applicable (nothing relevant in this catalog): ${report.notApplicable.join(', ')}`
            : ''),
      );

      if (catalog.source === 'dataset') expect(report.applicable).toBeGreaterThanOrEqual(20);
      expect(report.meanPrecisionAt10).toBeGreaterThanOrEqual(MEAN_PRECISION_FLOOR);
    },
    INDEXED_WITHIN_MS + 120_000,
  );
});
