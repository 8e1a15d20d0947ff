/**
 * The local search engine's indexes outlive its process: every write it acknowledged is there after a kill -9,
 * with its version (a tombstone still refuses an older write), the aliases are there, and a journal line torn
 * by a crash does not stop it from starting. The engine runs in a child process (test/support/search-engine-
 * child.ts) on the test's data directory. The last test indexes the real catalog (the demo catalog where the
 * dataset is absent), kills the engine, and checks a typo'd search answers the same after the restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { API, Client } from '@opensearch-project/opensearch';
import { freePort } from '@ecicomm/local-platform/emulators';
import { loadSeedCatalog } from '@ecicomm/local-platform/seed/catalog-source';
import {
  indexActions,
  newCredentials,
  PRODUCT_MAPPINGS,
  PRODUCT_SETTINGS,
  product,
  searchClient,
  type Product,
} from '../support/search-engine';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHILD = path.join(projectRoot, 'test/support/search-engine-child.ts');
const credentials = newCredentials();
const children: ChildProcess[] = [];
let dataDir: string;

interface Child {
  process: ChildProcess;
  client: Client;
  exited: Promise<void>;
  /** How long the engine took to open its data directory. */
  openedInMs: number;
}

async function startChild(): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(port)], {
    cwd: projectRoot,
    env: { ...process.env, SEARCH_SECRET: credentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const openedInMs = await new Promise<number>((resolve, reject) => {
    // Drained to the end, so the child never blocks on a full pipe.
    child.stdout!.on('data', (b: Buffer) => {
      output += b.toString();
      const ready = /ready (\d+)/.exec(output);
      if (ready) resolve(Number(ready[1]));
    });
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    void exited.then(() => reject(new Error(`the engine exited before it was ready:\n${output}`)));
  });
  return { process: child, client: searchClient(`http://127.0.0.1:${port}`, credentials), exited, openedInMs };
}

async function kill(child: Child, signal: NodeJS.Signals = 'SIGKILL') {
  child.process.kill(signal);
  await child.exited;
  await child.client.close();
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'search-engine-durability-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const INDEX = 'products-v1-20260101000000000';
const current = async (client: Client, id: string) =>
  (await client.get({ index: 'products', id }).catch((e: { meta: { body: unknown } }) => e.meta)).body as {
    found: boolean;
    _version?: number;
  };

describe('a kill -9', () => {
  it('loses no acknowledged write, version or alias, even with a bulk request in flight', async () => {
    const first = await startChild();
    await first.client.indices.create({
      index: INDEX,
      body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS },
    });
    await first.client.indices.updateAliases({ body: { actions: [{ add: { index: INDEX, alias: 'products' } }] } });
    const acknowledged = new Map<string, number>();
    for (let batch = 0; batch < 12; batch++) {
      const docs = Array.from({ length: 25 }, (_, i) =>
        product(`d-${batch}-${i}`, { name: `Item ${batch} ${i}`, version: batch + 1 }),
      );
      const { body } = await first.client.bulk({ body: indexActions('products', docs) });
      expect(body.errors).toBe(false);
      for (const doc of docs) acknowledged.set(doc.id, doc.version);
    }
    const { body: deleted } = await first.client.bulk({
      body: [{ delete: { _index: 'products', _id: 'd-0-0', version: 50, version_type: 'external' } }],
    });
    expect(deleted.items[0]!.delete!.status).toBe(200);
    acknowledged.delete('d-0-0');
    // One more bulk request is on its way when the process dies: it may or may not have been written.
    const inFlight = first.client
      .bulk({
        body: indexActions(
          'products',
          Array.from({ length: 200 }, (_, i) => product(`late-${i}`, { name: 'Late' })),
        ),
      })
      .catch(() => undefined);
    await kill(first);
    await inFlight;

    const second = await startChild();
    expect((await second.client.indices.getAlias({ name: 'products' })).body).toEqual({
      [INDEX]: { aliases: { products: {} } },
    });
    for (const [id, version] of acknowledged)
      expect(await current(second.client, id), id).toMatchObject({ found: true, _version: version });
    expect(await current(second.client, 'd-0-0')).toMatchObject({ found: false });
    const older = await second.client.bulk({
      body: indexActions('products', [product('d-0-0', { name: 'Resurrected', version: 49 })]),
    });
    expect(older.body.items[0]!.index).toMatchObject({
      status: 409,
      error: { type: 'version_conflict_engine_exception' },
    });
    // The in-flight request's items are there or not, each whole: nothing else is.
    const { count } = (await second.client.count({ index: 'products' })).body;
    expect(count).toBeGreaterThanOrEqual(acknowledged.size);
    expect(count).toBeLessThanOrEqual(acknowledged.size + 200);
    await kill(second, 'SIGTERM');
  }, 60_000);

  it('starts past a journal line torn by a crash, with every whole record', async () => {
    const journal = path.join(dataDir, 'indices', INDEX, 'documents.jsonl');
    appendFileSync(journal, '{"op":"index","id":"torn","v":1,"seq":99999,"src":{"name":"Tor');
    const third = await startChild();
    expect(await current(third.client, 'd-11-24')).toMatchObject({ found: true, _version: 12 });
    expect(await current(third.client, 'torn')).toMatchObject({ found: false });
    const written = await third.client.index({
      index: 'products',
      id: 'after-torn',
      body: product('after-torn', { name: 'After' }),
    });
    expect(written.statusCode).toBe(201);
    await kill(third);
    const fourth = await startChild();
    expect(await current(fourth.client, 'after-torn')).toMatchObject({ found: true });
    expect(readdirSync(path.join(dataDir, 'indices')).filter((name) => name.startsWith('.'))).toEqual([]);
    await kill(fourth, 'SIGTERM');
  }, 60_000);
});

describe('the catalog', () => {
  let products: Product[];
  let source: string;

  beforeAll(async () => {
    const catalog = await loadSeedCatalog({
      datasetDir: process.env.DATASET_DIR ?? path.resolve(projectRoot, '../shared/data/online-retail'),
    });
    source = catalog.source;
    products = catalog.products.map((p) =>
      product(p.id, {
        name: p.name,
        description: p.description,
        category: p.category,
        brand: p.brand,
        price: p.price,
        popularity: p.popularity,
        createdAt: p.createdAt,
      }),
    );
  }, 120_000);

  const typoSearch = (q: string, operator: 'and' | 'or'): API.Search_RequestBody => ({
    track_total_hits: true,
    size: 10,
    query: {
      function_score: {
        query: {
          bool: {
            must: [
              {
                multi_match: {
                  query: q,
                  fields: ['name^2', 'description', 'category'],
                  type: 'best_fields',
                  fuzziness: 'AUTO',
                  operator,
                },
              },
            ],
            filter: [{ term: { status: 'ACTIVE' } }],
          },
        },
        functions: [
          { field_value_factor: { field: 'popularity', modifier: 'log1p', factor: 1, missing: 0 } },
          { gauss: { createdAt: { origin: 'now', scale: '365d', offset: '30d', decay: 0.5 } } },
        ],
        score_mode: 'sum',
        boost_mode: 'multiply',
      },
    },
  });

  it('is indexed, survives a kill -9, and its typo searches find only what they should', async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const first = await startChild();
    const index = 'products-v1-20260102000000000';
    await first.client.indices.create({ index, body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
    await first.client.indices.updateAliases({ body: { actions: [{ add: { index, alias: 'products' } }] } });
    for (let i = 0; i < products.length; i += 1000)
      expect(
        (await first.client.bulk({ body: indexActions('products', products.slice(i, i + 1000)) })).body.errors,
      ).toBe(false);
    const queries: [string, 'and' | 'or', (p: Product) => boolean][] = [
      ['cake stnad', 'and', (p) => /cake stand/i.test(p.name)],
      ['chrismas decoraton', 'or', (p) => /christmas/i.test(`${p.name} ${p.category} ${p.description}`)],
    ];
    const before = await Promise.all(
      queries.map(([q, op]) => first.client.search({ index: 'products', body: typoSearch(q, op) })),
    );
    await kill(first);
    const second = await startChild();
    for (const [i, [q, op, relevant]] of queries.entries()) {
      const after = (await second.client.search({ index: 'products', body: typoSearch(q, op) })).body;
      expect(
        after.hits.hits.map((hit) => hit._id),
        q,
      ).toEqual(before[i]!.body.hits.hits.map((hit) => hit._id));
      const expected = Math.min(10, products.filter(relevant).length);
      const top = after.hits.hits.slice(0, expected).map((hit) => hit._source as Product);
      expect(top.length, `${q} on the ${source} catalog`).toBe(expected);
      expect(top.filter(relevant).length, `${q}: ${top.map((p) => p.name).join(' | ')}`).toBe(expected);
    }
    console.log(`search engine: ${products.length} products (${source}) reopened in ${second.openedInMs} ms`);
    await kill(second, 'SIGTERM');
  }, 120_000);
});
