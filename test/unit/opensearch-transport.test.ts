/**
 * The query routes reach OpenSearch through the client's transport alone (functions/search/adapters/
 * opensearch-transport.ts), built as the library's Client builds it: what they send must be what the Client's own
 * search and cluster-health methods send — the same request line, headers and body, signed the same way, retried and
 * timed out the same way — and what they read back the same. Checked here request by request against a recording
 * server, and end to end against the local engine, which checks every signature.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { openSearchClient } from '../../functions/search/adapters/opensearch-client';
import { QUERY_TUNING, type ClientTuning, type SearchEnv } from '../../functions/search/adapters/opensearch-connection';
import { OpenSearchProductSearch } from '../../functions/search/adapters/opensearch-index';
import { openSearchTransport } from '../../functions/search/adapters/opensearch-transport';
import { EngineSearchResponse, searchBody } from '../../functions/search/domain/query';
import { PRODUCTS_ALIAS } from '../../functions/search/index-definition';
import { SearchQuery } from '../../functions/search/schemas';
import { SearchUnavailableError } from '../../functions/search/ports';
import { newCredentials, startLanternEngine, type RunningEngine } from '../support/search-engine';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What GET /v1/search?q=lantern sends. */
const SEARCH_BODY = searchBody(SearchQuery.parse({ q: 'lantern' }));
const NO_BUCKETS = { buckets: [] };
const SEARCH_ANSWER = {
  took: 1,
  timed_out: false,
  hits: { total: { value: 0, relation: 'eq' }, hits: [] },
  aggregations: {
    categories: NO_BUCKETS,
    brands: NO_BUCKETS,
    price: { count: 0, min: null, max: null, avg: null },
  },
};
const HEALTH_ANSWER = { cluster_name: 'test', status: 'green' };

describe('the transport-only OpenSearch client against the whole client', () => {
  let server: Server;
  let env: SearchEnv;
  const credentials = newCredentials();
  let recorded: Recorded[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        recorded.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        answer(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    env = {
      OPENSEARCH_ENDPOINT: `http://127.0.0.1:${port}`,
      OPENSEARCH_SIGNING_SERVICE: 'es',
      AWS_REGION: 'eu-west-2',
    };
  });
  afterEach(() => {
    recorded = [];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const answerJson = (json: object, status = 200) =>
    (answer = (_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json)));

  /** A request as the engine sees it, without what changes from one second to the next (the date and signature). */
  const comparable = ({ headers, ...rest }: Recorded) => {
    const { authorization, 'x-amz-date': date, ...others } = headers;
    return {
      ...rest,
      headers: others,
      signedAs: String(authorization).replace(/Signature=[0-9a-f]+/, 'Signature=…'),
      dated: /^\d{8}T\d{6}Z$/.test(String(date)),
    };
  };

  const both = (tuning: ClientTuning = QUERY_TUNING) => ({
    client: openSearchClient(env, tuning, credentials),
    search: new OpenSearchProductSearch(openSearchTransport(env, tuning, credentials)),
  });

  /** The same failing search through the client and through the transport: each one's error and attempts. */
  async function failingSearches(tuning: ClientTuning) {
    const { client, search } = both(tuning);
    const clientError = await client
      .search({ index: PRODUCTS_ALIAS, body: SEARCH_BODY as never })
      .catch((e: unknown) => e);
    const clientAttempts = recorded.length;
    recorded = [];
    const error = await search.search(SEARCH_BODY).catch((e: unknown) => e);
    return { clientError, clientAttempts, error, attempts: recorded.length };
  }

  it('sends the search request the client sends, and reads the same answer', async () => {
    answerJson(SEARCH_ANSWER);
    const { client, search } = both();
    const viaClient = await client.search({ index: PRODUCTS_ALIAS, body: SEARCH_BODY as never });
    const viaTransport = await search.search(SEARCH_BODY);
    expect(recorded).toHaveLength(2);
    expect(comparable(recorded[1])).toEqual(comparable(recorded[0]));
    expect(recorded[1]).toMatchObject({ method: 'POST', url: '/products/_search', body: JSON.stringify(SEARCH_BODY) });
    expect(comparable(recorded[1]).signedAs).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-2\/es\//);
    expect(viaTransport).toEqual(EngineSearchResponse.parse(viaClient.body));
  });

  it("sends the cluster-health request the client sends, and reads the cluster's status", async () => {
    answerJson(HEALTH_ANSWER);
    const { client, search } = both();
    await client.cluster.health();
    expect(await search.clusterStatus()).toBe('green');
    expect(recorded).toHaveLength(2);
    expect(comparable(recorded[1])).toEqual(comparable(recorded[0]));
    expect(recorded[1]).toMatchObject({ method: 'GET', url: '/_cluster/health', body: '' });
  });

  it('retries a 503 as often as the client does, then says the engine is unavailable', async () => {
    answerJson({ error: { type: 'unavailable', reason: 'busy' } }, 503);
    const { clientError, clientAttempts, error, attempts } = await failingSearches({
      requestTimeoutMs: 2_000,
      maxRetries: 2,
    });
    expect(clientAttempts).toBe(3);
    expect(attempts).toBe(clientAttempts);
    expect(error).toBeInstanceOf(SearchUnavailableError);
    expect((error as Error).message).toBe('search: 503 unavailable: busy');
    expect((error as Error).cause).toBeInstanceOf((clientError as Error).constructor);
  });

  it('gives up after the tuned timeout, each attempt, as the client does', async () => {
    answer = () => undefined; // never answers
    const { clientError, clientAttempts, error, attempts } = await failingSearches({
      requestTimeoutMs: 150,
      maxRetries: 1,
    });
    expect(clientAttempts).toBe(2);
    expect(attempts).toBe(clientAttempts);
    expect((clientError as Error).name).toBe('TimeoutError');
    expect(((error as Error).cause as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toMatch(/^search: Request timed out/);
  });
});

describe('the transport-only client against the local engine, which checks every signature', () => {
  let running: RunningEngine;

  beforeAll(async () => {
    running = await startLanternEngine();
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('finds what the whole client finds, and a wrong secret is refused', async () => {
    const env: SearchEnv = {
      OPENSEARCH_ENDPOINT: running.engine.endpoint,
      OPENSEARCH_SIGNING_SERVICE: 'es',
      AWS_REGION: 'eu-west-2',
    };
    const body = SEARCH_BODY;
    const search = new OpenSearchProductSearch(openSearchTransport(env, QUERY_TUNING, running.credentials));
    const viaClient = await running.client.search({ index: PRODUCTS_ALIAS, body: body as never });
    const found = await search.search(body);
    expect(found.hits.hits.map((h) => h._id).sort()).toEqual(['p1', 'p2']);
    // The engine's scores may differ in their last digits from one query to the next: compared to 9 places.
    const comparableHits = (r: EngineSearchResponse) =>
      r.hits.hits.map((h) => ({ ...h, _score: h._score == null ? h._score : Number(h._score.toFixed(9)) }));
    const expected = EngineSearchResponse.parse(viaClient.body);
    expect(comparableHits(found)).toEqual(comparableHits(expected));
    expect({ ...found, hits: undefined }).toEqual({ ...expected, hits: undefined });
    expect(['green', 'yellow']).toContain(await search.clusterStatus());

    const impostor = new OpenSearchProductSearch(
      openSearchTransport(env, QUERY_TUNING, { ...running.credentials, secretAccessKey: 'not-the-secret' }),
    );
    await expect(impostor.search(body)).rejects.toThrow(/^search: 403 /);
  });
});
