/**
 * The local search engine for tests: started in-process on a free port with a per-test secret, and reached with
 * the official client `@opensearch-project/opensearch`, signed by its own AwsSigv4Signer as functions/search
 * signs (see /work/notes/search-contract.md). Also the contract's product mapping and a product factory.
 */
import { randomBytes } from 'node:crypto';
import { Client, type API } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startSearchEngine, type SearchEngine } from '@ecicomm/local-platform/search/server';

export const region = 'eu-west-2';
export const newCredentials = () => ({ accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') });

export function searchClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): Client {
  return new Client({
    ...AwsSigv4Signer({ region, service: 'es', getCredentials: async () => credentials }),
    node: endpoint,
    maxRetries: 0,
  });
}

export interface RunningEngine {
  engine: SearchEngine;
  client: Client;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function startTestEngine(dataDir?: string): Promise<RunningEngine> {
  const credentials = newCredentials();
  const engine = await startSearchEngine({ port: await freePort(), dataDir, credentials });
  const client = searchClient(engine.endpoint, credentials);
  return { engine, client, credentials, stop: async () => (await client.close(), await engine.stop()) };
}

/** The contract's mapping (functions/search/index-definition.ts holds the deployed one). */
export const PRODUCT_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    name: { type: 'text', analyzer: 'english', fields: { keyword: { type: 'keyword' } } },
    description: { type: 'text', analyzer: 'english' },
    category: { type: 'text', analyzer: 'english', fields: { keyword: { type: 'keyword' } } },
    brand: { type: 'keyword' },
    price: { type: 'integer' },
    currency: { type: 'keyword' },
    popularity: { type: 'integer' },
    status: { type: 'keyword' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    version: { type: 'long' },
    suggest: { type: 'completion' },
  },
} satisfies API.Indices_Create_RequestBody['mappings'];

export const PRODUCT_SETTINGS = { number_of_shards: 1, number_of_replicas: 0 };

export interface Product {
  id: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  price: number;
  currency: 'GBP';
  popularity: number;
  status: 'ACTIVE' | 'INACTIVE';
  createdAt: string;
  updatedAt: string;
  version: number;
  suggest?: { input: string[] };
}

export function product(id: string, fields: Partial<Product> & Pick<Product, 'name'>): Product {
  const createdAt = fields.createdAt ?? '2026-01-01T00:00:00.000Z';
  const status = fields.status ?? 'ACTIVE';
  return {
    id,
    description: '',
    category: 'Home',
    brand: 'ECI',
    price: 1000,
    currency: 'GBP',
    popularity: 0,
    status,
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...(status === 'ACTIVE' && { suggest: { input: [fields.name] } }),
    ...fields,
  };
}

/** `_bulk` index actions with each product's version as an external version, as the indexer sends them. */
export const indexActions = (index: string, products: Product[]): API.Bulk_RequestBody =>
  products.flatMap((p) => [
    { index: { _index: index, _id: p.id, version: p.version, version_type: 'external' as const } },
    p,
  ]);

/** A concrete index behind the `products` alias, holding `products`. */
export async function productsIndex(
  client: Client,
  products: Product[],
  name = 'products-v1-20260101000000000',
): Promise<void> {
  await client.indices.create({ index: name, body: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } });
  await client.indices.updateAliases({ body: { actions: [{ add: { index: name, alias: 'products' } }] } });
  if (products.length) {
    const { body } = await client.bulk({ body: indexActions('products', products) });
    if (body.errors)
      throw new Error(`bulk failed: ${JSON.stringify(body.items.find((item) => Object.values(item)[0]?.error))}`);
  }
}

/**
 * An engine whose `products` alias holds three products, searchable at once: p1 "Paper lantern" and p2 "Tin
 * lantern" (both found by `lantern`), p3 "Cake stand" (completed from `cak`).
 */
export async function startLanternEngine(): Promise<RunningEngine> {
  const running = await startTestEngine();
  try {
    await productsIndex(running.client, [
      product('p1', { name: 'Paper lantern' }),
      product('p2', { name: 'Tin lantern' }),
      product('p3', { name: 'Cake stand' }),
    ]);
    await running.client.indices.refresh({ index: 'products' });
    return running;
  } catch (e) {
    await running.stop();
    throw e;
  }
}
