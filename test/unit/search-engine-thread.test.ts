import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@ecicomm/local-platform/emulators';
import { startSearchEngineThread } from '@ecicomm/local-platform/search/thread';
import { newCredentials, PRODUCT_MAPPINGS, searchClient } from '../support/search-engine';

const dataDir = mkdtempSync(path.join(tmpdir(), 'search-thread-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the engine on its own thread (as the platform runs it)', () => {
  it('answers signed requests, keeps what it acknowledged across a stop, and refuses a wrong secret', async () => {
    const credentials = newCredentials();
    const first = await startSearchEngineThread({ port: await freePort(), dataDir, credentials });
    const client = searchClient(first.endpoint, credentials);
    try {
      await client.indices.create({ index: 'products', body: { mappings: PRODUCT_MAPPINGS } });
      await client.index({
        index: 'products',
        id: 'p1',
        body: { id: 'p1', name: 'Red heart garland', status: 'ACTIVE' },
        refresh: true,
      });
      const found = await client.search({ index: 'products', body: { query: { match: { name: 'garland' } } } });
      expect(found.body.hits.total).toMatchObject({ value: 1 });
      const forged = searchClient(first.endpoint, newCredentials());
      await expect(forged.search({ index: 'products' })).rejects.toMatchObject({ meta: { statusCode: 403 } });
      await forged.close();
    } finally {
      await client.close();
      await first.stop();
    }

    const second = await startSearchEngineThread({ port: await freePort(), dataDir, credentials });
    const again = searchClient(second.endpoint, credentials);
    try {
      const found = await again.search({
        index: 'products',
        body: { query: { match: { name: { query: 'garlnad', fuzziness: 'AUTO' } } } },
      });
      expect(found.body.hits.hits.map((h) => h._id)).toEqual(['p1']);
    } finally {
      await again.close();
      await second.stop();
    }
  });

  it('fails to start with the reason when its port is taken', async () => {
    const credentials = newCredentials();
    const port = await freePort();
    const holder = await startSearchEngineThread({ port, credentials });
    try {
      await expect(startSearchEngineThread({ port, credentials })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await holder.stop();
    }
  });
});
