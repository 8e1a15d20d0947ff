/**
 * Search through the edge, on the shared local platform: products created, changed and taken off sale through the
 * catalog API reach the index through the products stream and the real indexer (its event source mapping), and
 * GET /v1/search and /v1/search/suggest answer from the local engine with the same client and adapter as in AWS.
 * Crafted stream events invoked on the indexer (through the platform's Lambda Invoke API) prove that duplicate and
 * out-of-order deliveries never regress a document; `npm run search:reindex` swaps the index while searches go on;
 * every search is a clickstream event, and the searches that found nothing become an insight.
 *
 * Every product here carries a made-up word of this run (TAG), so the assertions see only this file's products
 * whatever else the shared catalog holds.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, it } from '@jest/globals';
import { writeRuntimeFile } from '../support/runtime-file';
import { expect } from '../support/expect';
import { MAPPING_VERSION } from '../../functions/search/index-definition';
import { projectRoot } from '@ecicomm/local-platform/platform';
import { adminSession, api, platform } from '../support/api';
import { analyticsCaughtUp, warehouseQuery } from '../support/analytics';

/**
 * Consonants that begin no English word together (no s, t, h, c, r, l, n): neither the word, nor a typo of it,
 * nor its first three letters come near anything in the catalog. Letters 1 and 2, and 3 and 4, differ: swapping
 * them makes a typo.
 */
const madeUpWord = (length = 9): string => {
  const letters = 'bdfgjkmpqvwxz';
  const word = Array.from({ length }, () => letters[Math.floor(Math.random() * letters.length)]).join('');
  return word[0] === word[1] || word[2] === word[3] ? madeUpWord(length) : word;
};
const TAG = madeUpWord();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done` holds of the value `read` gives (generous: the machine is shared), and returns that value. */
async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(value).slice(0, 400)}`);
    await sleep(100);
    value = await read();
  }
  return value;
}

const search = async (query: string) => {
  const res = await api(`/v1/search?${query}`);
  if (res.status !== 200) throw new Error(`GET /v1/search?${query} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { total: number; items: any[]; facets: { categories: any[]; brands: any[]; price: any } };
};
const idsOf = (result: { items: { id: string }[] }) => result.items.map((i) => i.id);

let admin: string;
interface Made {
  id: string;
  name: string;
  category: string;
  brand: string;
  price: number;
  version: number;
}
const made: Made[] = [];

async function createProduct(name: string, category: string, brand: string, price: number): Promise<Made> {
  const res = await api('/v1/products', {
    method: 'POST',
    token: admin,
    body: { name, description: `Made by the search suite (${TAG}).`, category, brand, price, currency: 'GBP' },
  });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  const product = { id: res.body.id, name, category, brand, price, version: res.body.version };
  made.push(product);
  return product;
}

beforeAll(async () => {
  admin = await adminSession();
  // Eight products of this run: two categories, three brands, prices from 300 to 6000, created one after another.
  const specs: [string, string, string, number][] = [
    ['Lantern', 'lighting', `Brand${TAG}A`, 1200],
    ['Desk Lamp', 'lighting', `Brand${TAG}A`, 3400],
    ['Fairy Lights', 'lighting', `Brand${TAG}B`, 800],
    ['Teapot', 'kitchen-dining', `Brand${TAG}B`, 2500],
    ['Cake Stand', 'kitchen-dining', `Brand${TAG}C`, 6000],
    ['Egg Cup', 'kitchen-dining', `Brand${TAG}C`, 300],
    ['Milk Jug', 'kitchen-dining', `Brand${TAG}A`, 1500],
    ['Tea Towel', 'kitchen-dining', `Brand${TAG}C`, 450],
  ];
  for (const [name, category, brand, price] of specs) await createProduct(`${TAG} ${name}`, category, brand, price);
  await until(
    'the suite’s products searchable',
    () => search(`q=${TAG}&limit=100`),
    (r) => r.total === specs.length,
  );
}, 120_000);

describe('freshness: the index follows the catalog through the products stream', () => {
  it('finds a product created, changed and taken off sale within seconds, and never shows it inactive', async () => {
    const word = madeUpWord();
    const started = Date.now();
    const product = await createProduct(`Quokka ${word} Headphones`, 'other', `Brand${TAG}D`, 4999);
    // As typed, and with typos: a transposition (one edit) and a missing letter.
    const found = await until(
      'created product found',
      () => search(`q=${word}`),
      (r) => r.total === 1,
    );
    const createdMs = Date.now() - started;
    expect(idsOf(found)).toEqual([product.id]);
    expect(found.items[0]).toMatchObject({
      id: product.id,
      name: product.name,
      category: 'other',
      brand: `Brand${TAG}D`,
      price: 4999,
      currency: 'GBP',
      popularity: 0,
    });
    expect(idsOf(await search(`q=${encodeURIComponent(`quokka ${word} headphnoes`)}`))).toEqual([product.id]);
    expect(idsOf(await search(`q=${encodeURIComponent(`qukka ${word}`)}`))).toEqual([product.id]);

    const changedAt = Date.now();
    const changed = await api(`/v1/products/${product.id}`, {
      method: 'PUT',
      token: admin,
      body: { version: product.version, name: `Wombat ${word} Speakers`, price: 5999 },
    });
    expect(changed.status).toBe(200);
    await until(
      'changed product found by its new name',
      () => search(`q=${encodeURIComponent(`wombat ${word}`)}`),
      (r) => r.total === 1 && r.items[0].price === 5999,
    );
    const changedMs = Date.now() - changedAt;
    // The old name is gone: only its made-up word still finds it (the search relaxes to any word), by its new name.
    expect((await search(`q=quokka&limit=100`)).items.filter((i) => i.id === product.id)).toEqual([]);
    expect((await search(`q=${encodeURIComponent(`quokka ${word}`)}`)).items.map((i) => i.name)).toEqual([
      `Wombat ${word} Speakers`,
    ]);

    const offAt = Date.now();
    const off = await api(`/v1/products/${product.id}`, {
      method: 'PUT',
      token: admin,
      body: { version: changed.body.version, status: 'INACTIVE' },
    });
    expect(off.status).toBe(200);
    await until(
      'inactive product gone',
      () => search(`q=${word}`),
      (r) => r.total === 0,
    );
    const offMs = Date.now() - offAt;
    expect((await api(`/v1/search/suggest?q=${encodeURIComponent(`wombat ${word.slice(0, 3)}`)}`)).body.items).toEqual(
      [],
    );
    expect(idsOf(await search(`q=${TAG}&limit=100`))).not.toContain(product.id);
    console.log(
      `search freshness: created ${createdMs} ms, changed ${changedMs} ms, inactive ${offMs} ms (target 5 s)`,
    );
  });
});

describe('GET /v1/search over the suite’s products', () => {
  it('counts facets over the whole result, not the page: they add up to total', async () => {
    const page = await search(`q=${TAG}&limit=1`);
    expect(page.total).toBe(8);
    expect(page.items).toHaveLength(1);
    const sum = (values: { count: number }[]) => values.reduce((n, v) => n + v.count, 0);
    expect(page.facets.categories).toEqual([
      { value: 'kitchen-dining', count: 5 },
      { value: 'lighting', count: 3 },
    ]);
    expect(sum(page.facets.brands)).toBe(8);
    expect(page.facets.brands.map((b: any) => [b.value, b.count]).sort()).toEqual(
      [
        [`Brand${TAG}A`, 3],
        [`Brand${TAG}B`, 2],
        [`Brand${TAG}C`, 3],
      ].sort(),
    );
    expect(page.facets.price).toEqual({
      min: 300,
      max: 6000,
      count: 8,
      avg: Math.round((1200 + 3400 + 800 + 2500 + 6000 + 300 + 1500 + 450) / 8),
    });
    // Filtered: the facets describe the filtered result.
    const lighting = await search(`q=${TAG}&category=lighting&limit=1`);
    expect([
      lighting.total,
      lighting.facets.categories,
      sum(lighting.facets.brands),
      lighting.facets.price.count,
    ]).toEqual([3, [{ value: 'lighting', count: 3 }], 3, 3]);
  });

  it('holds every filter: category, brand and an inclusive price range, alone and together', async () => {
    const all = made.filter((p) => p.brand.includes(TAG) && !p.brand.endsWith('D'));
    const expectIds = async (query: string, keep: (p: Made) => boolean) => {
      const result = await search(`q=${TAG}&limit=100&${query}`);
      expect(idsOf(result).sort(), query).toEqual(
        all
          .filter(keep)
          .map((p) => p.id)
          .sort(),
      );
      expect(result.total, query).toBe(all.filter(keep).length);
    };
    await expectIds('category=kitchen-dining', (p) => p.category === 'kitchen-dining');
    await expectIds(`brand=Brand${TAG}A`, (p) => p.brand === `Brand${TAG}A`);
    await expectIds('minPrice=800&maxPrice=2500', (p) => p.price >= 800 && p.price <= 2500);
    await expectIds('minPrice=3400', (p) => p.price >= 3400);
    await expectIds('maxPrice=450', (p) => p.price <= 450);
    await expectIds(
      `category=kitchen-dining&brand=Brand${TAG}C&maxPrice=1000`,
      (p) => p.category === 'kitchen-dining' && p.brand === `Brand${TAG}C` && p.price <= 1000,
    );
    await expectIds('minPrice=7000', () => false);
  });

  it('sorts by price either way, by newest, and by relevance (scores never rising)', async () => {
    const ours = made.filter((p) => p.brand.includes(TAG) && !p.brand.endsWith('D'));
    const prices = (r: { items: any[] }) => r.items.map((i) => i.price);
    expect(prices(await search(`q=${TAG}&sort=price&limit=100`))).toEqual(
      ours.map((p) => p.price).sort((a, b) => a - b),
    );
    expect(prices(await search(`q=${TAG}&sort=price&order=desc&limit=100`))).toEqual(
      ours.map((p) => p.price).sort((a, b) => b - a),
    );
    // Created one after another: newest first is the reverse of creation, oldest first the order of it.
    expect(idsOf(await search(`q=${TAG}&sort=newest&limit=100`))).toEqual(ours.map((p) => p.id).reverse());
    expect(idsOf(await search(`q=${TAG}&sort=newest&order=asc&limit=100`))).toEqual(ours.map((p) => p.id));
    expect((await search(`q=${encodeURIComponent(`${TAG} teapot`)}&limit=100`)).items.map((i) => i.name)).toEqual([
      `${TAG} Teapot`,
    ]);
    const relevance = await search(`q=${TAG}&limit=100`);
    const scores = relevance.items.map((i) => i.score as number);
    expect(scores.every((s, i) => typeof s === 'number' && (i === 0 || s <= scores[i - 1]))).toBe(true);
    expect((await search(`q=${TAG}&sort=price`)).items.every((i) => i.score === null)).toBe(true);
  });

  it('pages without repeating or skipping, whatever the sort', async () => {
    for (const sort of ['relevance', 'price', 'popularity', 'newest']) {
      const whole = await search(`category=kitchen-dining&sort=${sort}&limit=100`);
      const pages: string[] = [];
      for (let offset = 0; offset < whole.total && offset < 100; offset += 7)
        pages.push(...idsOf(await search(`category=kitchen-dining&sort=${sort}&limit=7&offset=${offset}`)));
      expect(new Set(pages).size, sort).toBe(pages.length);
      expect(pages, sort).toEqual(idsOf(whole).slice(0, pages.length));
    }
  });

  it('relaxes a search of several words that found nothing to any of them', async () => {
    const relaxed = await search(`q=${encodeURIComponent(`${TAG} ${madeUpWord()}`)}&limit=100`);
    expect(idsOf(relaxed).sort()).toEqual(
      made
        .filter((p) => !p.brand.endsWith('D'))
        .map((p) => p.id)
        .sort(),
    );
  });

  it('reads query syntax, wildcards, backslashes and JSON as words: each finds what its words find, and fails nothing', async () => {
    // Signs alone are no words: nothing to find.
    for (const q of ['*', '\\', '(', '"']) expect((await search(`q=${encodeURIComponent(q)}`)).total, q).toBe(0);
    // Syntax answers exactly as the same words without it (`name:foo` is one word: OpenSearch's standard tokenizer
    // keeps letters joined by a colon), and a match_all in JSON is the words query and match_all, not every product.
    const sameAs: [string, string][] = [
      ['name:foo AND (', 'name:foo AND'],
      ['{"query":{"match_all":{}}}', 'query match_all'],
      [`${TAG}*`, TAG],
      [`(${TAG})`, TAG],
      [`"${TAG}"`, TAG],
      [`${TAG} AND NOT`, `${TAG} AND NOT`.toLowerCase()],
    ];
    const everything = (await search('limit=1')).total;
    for (const [q, words] of sameAs) {
      const [result, plain] = [
        await search(`q=${encodeURIComponent(q)}&limit=100`),
        await search(`q=${encodeURIComponent(words)}&limit=100`),
      ];
      expect(idsOf(result), q).toEqual(idsOf(plain));
      expect(result.total, q).toBeLessThan(everything);
      if (q.includes(TAG)) expect(result.total, q).toBe(8); // the suite's products hold the word
    }
  });
});

describe('GET /v1/search/suggest', () => {
  it('completes a name from its start or any word of it, typos tolerated from 4 characters, at most limit', async () => {
    const suggest = async (q: string, limit?: number) =>
      (await api(`/v1/search/suggest?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ''}`)).body.items as {
        id: string;
        name: string;
      }[];
    const teapot = made.find((p) => p.name === `${TAG} Teapot`)!;
    expect(await suggest(`${TAG} tea`)).toEqual(expect.arrayContaining([{ id: teapot.id, name: teapot.name }]));
    expect((await suggest(TAG, 20)).map((s) => s.name).sort()).toEqual(
      made
        .filter((p) => p.brand.includes(TAG) && !p.brand.endsWith('D'))
        .map((p) => p.name)
        .sort(),
    );
    // Two letters transposed in the made-up word (one edit) still complete — past the first letter, which OpenSearch's
    // fuzzy completion takes as typed (prefix_length 1); under 4 characters, a wrong letter finds nothing.
    const typo = `${TAG.slice(0, 2)}${TAG[3]}${TAG[2]}${TAG.slice(4)}`;
    expect((await suggest(typo, 20)).length).toBe(8);
    expect(await suggest(`${TAG.slice(0, 2)}${TAG[3]}`, 20)).toEqual([]);
    expect(await suggest(TAG, 3)).toHaveLength(3);
  });
});

/** A products-table stream record of `product` as the catalog would store it at `version`. */
const streamRecord = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', product: Record<string, unknown>, seq: number) => ({
  eventID: randomUUID().replace(/-/g, ''),
  eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: platform().region,
  eventSourceARN: `arn:aws:dynamodb:${platform().region}:000000000000:table/${platform().tableNames.products}/stream/2026-01-01T00:00:00.000`,
  dynamodb: {
    ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
    Keys: marshall({ id: product.id }),
    ...(eventName === 'REMOVE' ? { OldImage: marshall(product) } : { NewImage: marshall(product) }),
    SequenceNumber: String(900000000000000000000n + BigInt(seq)),
    SizeBytes: 512,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

async function invokeIndexer(records: unknown[]): Promise<unknown> {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = platform().env;
  const lambda = new LambdaClient({
    region: platform().region,
    endpoint: platform().lambdaEndpoint,
    credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
  });
  try {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'indexProducts',
        Payload: new TextEncoder().encode(JSON.stringify({ Records: records })),
      }),
    );
    const payload = new TextDecoder().decode(out.Payload);
    if (out.FunctionError) throw new Error(`indexProducts failed: ${payload}`);
    return JSON.parse(payload);
  } finally {
    lambda.destroy();
  }
}

describe('the indexer under duplicate and out-of-order deliveries', () => {
  const word = madeUpWord();
  const at = (version: number, name: string, status = 'ACTIVE') => ({
    id: `psearch${word}`,
    sku: `SKU-${word}`,
    name,
    description: 'Delivered by hand.',
    category: 'clocks',
    brand: 'Stream',
    price: 1000 + version,
    currency: 'GBP',
    imageUrls: [],
    attributes: {},
    popularity: 0,
    status,
    version,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: `2026-01-0${version}T00:00:00.000Z`,
  });

  it('keeps the newest version whatever arrives late or twice, and a product taken off sale never comes back from an older image', async () => {
    // Version 3 first, then the older 2, then 3 again: 3 stays.
    expect(
      await invokeIndexer([
        streamRecord('MODIFY', at(3, `Newer ${word} Clock`), 1),
        streamRecord('MODIFY', at(2, `Older ${word} Clock`), 2),
        streamRecord('MODIFY', at(3, `Newer ${word} Clock`), 3),
      ]),
    ).toEqual({ batchItemFailures: [] });
    let found = await search(`q=${word}`);
    expect(found.items.map((i) => [i.name, i.price])).toEqual([[`Newer ${word} Clock`, 1003]]);
    // The same batch again (a redelivery), and the oldest image on its own: nothing changes, nothing fails.
    expect(await invokeIndexer([streamRecord('INSERT', at(1, `Oldest ${word} Clock`), 4)])).toEqual({
      batchItemFailures: [],
    });
    found = await search(`q=${word}`);
    expect(found.items.map((i) => i.name)).toEqual([`Newer ${word} Clock`]);

    // Taken off sale at version 4; the late version 3 arrives after: it stays off.
    expect(
      await invokeIndexer([
        streamRecord('MODIFY', at(4, `Newer ${word} Clock`, 'INACTIVE'), 5),
        streamRecord('MODIFY', at(3, `Newer ${word} Clock`), 6),
      ]),
    ).toEqual({ batchItemFailures: [] });
    expect((await search(`q=${word}`)).total).toBe(0);
    expect((await api(`/v1/search/suggest?q=newer%20${word.slice(0, 5)}`)).body.items).toEqual([]);

    // Back on sale at 5, then removed from the table (REMOVE of 5), then a late 5 again: removed it stays.
    await invokeIndexer([streamRecord('MODIFY', at(5, `Revived ${word} Clock`), 7)]);
    expect(idsOf(await search(`q=${word}`))).toEqual([`psearch${word}`]);
    expect(
      await invokeIndexer([
        streamRecord('REMOVE', at(5, `Revived ${word} Clock`), 8),
        streamRecord('MODIFY', at(5, `Revived ${word} Clock`), 9),
      ]),
    ).toEqual({ batchItemFailures: [] });
    expect((await search(`q=${word}`)).total).toBe(0);
  });

  it('ranks equal matches by popularity (log1p) and then recency', async () => {
    const boost = madeUpWord();
    const doc = (suffix: string, popularity: number, createdAt: string, seq: number) =>
      streamRecord(
        'INSERT',
        {
          ...at(1, `${boost} Boost Clock`),
          id: `pboost${boost}${suffix}`,
          sku: `SKU-B${suffix}`,
          popularity,
          createdAt,
          updatedAt: createdAt,
        },
        seq,
      );
    const now = new Date().toISOString();
    expect(
      await invokeIndexer([
        doc('old', 5, '2023-01-01T00:00:00.000Z', 20),
        doc('new', 5, now, 21),
        doc('popular', 500, '2023-01-01T00:00:00.000Z', 22),
        doc('plain', 0, now, 23),
      ]),
    ).toEqual({
      batchItemFailures: [],
    });
    // The same text scores alike; the boost is log10(1 + popularity) (OpenSearch's log1p) plus a freshness of 1 within
    // 30 days, halving over the year after: popular 2.70 + 0.00, new 0.78 + 1, plain 0 + 1, old 0.78 + 0.00.
    const ranked = await search(`q=${boost}`);
    expect(idsOf(ranked)).toEqual([
      `pboost${boost}popular`,
      `pboost${boost}new`,
      `pboost${boost}plain`,
      `pboost${boost}old`,
    ]);
    // The same words browse by the other sorts too; newest first is by createdAt.
    expect(idsOf(await search(`q=${boost}&sort=popularity`))).toEqual([
      `pboost${boost}popular`,
      `pboost${boost}new`,
      `pboost${boost}old`,
      `pboost${boost}plain`,
    ]);
    expect(
      idsOf(await search(`q=${boost}&sort=newest`))
        .slice(2)
        .sort(),
    ).toEqual([`pboost${boost}old`, `pboost${boost}popular`]);
  });

  it('reports a record that is not a product as a failed item, and indexes the rest of the batch', async () => {
    const broken = streamRecord('INSERT', { id: `pbroken${word}`, name: 'No price' }, 10);
    const good = streamRecord('INSERT', { ...at(1, `Fine ${word} Watch`), id: `pfine${word}` }, 11);
    expect(await invokeIndexer([good, broken])).toEqual({
      batchItemFailures: [{ itemIdentifier: broken.dynamodb.SequenceNumber }],
    });
    expect((await search(`q=${encodeURIComponent(`fine ${word}`)}`)).total).toBe(1);
  });
});

describe('npm run search:reindex', () => {
  it('builds a new index and swaps the alias while every search keeps answering the same', async () => {
    const before = await search(`q=${TAG}&limit=100`);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'reindex-test-'));
    const info = platform();
    writeRuntimeFile(dataDir);
    let running = true;
    const during: { status: number; total?: number }[] = [];
    const searching = (async () => {
      while (running) {
        const res = await api(`/v1/search?q=${TAG}&limit=100`);
        during.push({ status: res.status, total: res.body?.total });
      }
    })();
    try {
      const { stdout, stderr } = await promisify(execFile)(
        path.join(projectRoot, 'node_modules/.bin/tsx'),
        ['bin/search-reindex.ts'],
        {
          cwd: projectRoot,
          env: { ...process.env, LOCAL_DATA_DIR: dataDir },
        },
      );
      expect(stderr).toContain(`Reindexing the local platform at ${info.apiUrl}`);
      expect(stdout).toMatch(
        new RegExp(
          `alias products → products-v${MAPPING_VERSION}-\\d{17} \\(was products-v${MAPPING_VERSION}-\\d{17}\\); \\d+ products indexed from \\d+ read, .*; 0 not indexed;`,
        ),
      );
    } finally {
      running = false;
      await searching;
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((d) => d.status !== 200 || d.total !== before.total)).toEqual([]);
    const after = await search(`q=${TAG}&limit=100`);
    expect(idsOf(after).sort()).toEqual(idsOf(before).sort());
    console.log(`reindex: ${during.length} searches during it, all 200 with the same ${before.total} results`);
  });

  it('refuses a wrong argument with its usage and exit code 2', async () => {
    const run = promisify(execFile)(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['bin/search-reindex.ts', '--bogus'],
      { cwd: projectRoot },
    );
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: npm run search:reindex'),
    });
  });
});

describe('search as a signal', () => {
  it('records every search as a clickstream event with its result count, and lists the queries that found nothing, most frequent first', async () => {
    const sessionId = randomUUID();
    // Other suites search for odd text that finds nothing, once or twice each; ours are searched more often, so
    // they rank among the top ten whichever files ran first.
    const [often, lessOften] = [`${madeUpWord()} ${madeUpWord()}`, madeUpWord()];
    const searches = [...Array<string>(8).fill(often), ...Array<string>(7).fill(lessOften), TAG];
    for (const q of searches) {
      const res = await api(`/v1/search?q=${encodeURIComponent(q)}`, { headers: { 'x-session-id': sessionId } });
      expect(res.status).toBe(200);
    }
    await analyticsCaughtUp();
    const rows = await until(
      'search events in the warehouse',
      () =>
        warehouseQuery<{ query: string; result_count: number }>(
          "SELECT query, result_count FROM user_behavior WHERE session_id = $1 AND event_type = 'search' ORDER BY event_ts, query",
          [sessionId],
        ),
      (r) => r.length === searches.length,
    );
    const counted = rows.map((r) => [r.query, Number(r.result_count)]);
    expect(counted.filter(([q]) => q === often)).toEqual(Array(8).fill([often, 0]));
    expect(counted.filter(([q]) => q === lessOften)).toEqual(Array(7).fill([lessOften, 0]));
    expect(counted.filter(([q]) => q === TAG)).toEqual([[TAG, 8]]);

    const insights = await until(
      'no-results insights',
      async () =>
        ((await api('/v1/analytics/insights', { token: admin })).body.items as any[]).filter(
          (i) => i.kind === 'no_results',
        ),
      (items) => items.some((i) => i.query === often) && items.some((i) => i.query === lessOften),
    );
    const ours = insights.filter((i) => i.query === often || i.query === lessOften);
    expect(ours.map((i) => [i.query, i.metric])).toEqual([
      [often, 8],
      [lessOften, 7],
    ]);
    expect(insights.findIndex((i) => i.query === often)).toBeLessThan(insights.findIndex((i) => i.query === lessOften));
    expect(ours[0].message).toMatch(
      new RegExp(
        `^No results: "${often}" was searched 8 times in the 28 days to \\d{4}-\\d{2}-\\d{2} and found no product\\.$`,
      ),
    );
  });

  it('reports search in the health check', async () => {
    const res = await api('/v1/health');
    expect(res.body.components.search).toBe('ok');
  });
});
