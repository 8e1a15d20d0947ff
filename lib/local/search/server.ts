/**
 * The local search engine: the subset of OpenSearch's REST API that functions/search uses (index and alias
 * management, `_bulk` with external versions, `_doc`, `_search` with the query DSL, aggregations and the
 * completion suggester; see /work/notes/search-contract.md), on 127.0.0.1, for the same
 * `@opensearch-project/opensearch` client and adapter the cloud uses. Requests must be SigV4-signed with the
 * platform's per-run credentials. With a data directory the indexes outlive the process (./store.ts).
 *
 * Once its body is read and its signature checked, a request's work runs synchronously to its end: a search never
 * sees half of a bulk request or of an alias swap.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { LocalCredentials } from '../guard/sigv4';
import { Indexes } from './indexes';
import { readRequest, reply, replyError } from './protocol';
import { dispatch, type EngineState } from './routes';

export interface SearchEngineOptions {
  port: number;
  /** Where indexes are kept; in memory only without one. */
  dataDir?: string;
  /** The only credentials a request may be signed with (the platform's per-run secret). */
  credentials: LocalCredentials;
  /** The SigV4 signing name the client uses (OPENSEARCH_SIGNING_SERVICE): `es` by default. */
  signingService?: string;
}

export interface SearchEngine {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSearchEngine(options: SearchEngineOptions): Promise<SearchEngine> {
  const indexes = Indexes.open(options.dataDir);
  const state: EngineState = { indexes, clusterName: 'ecicomm-local', clusterUuid: randomUUID() };
  const service = options.signingService ?? 'es';
  const server = createServer((req, res) => {
    readRequest(req, options.credentials, service)
      .then((request) => {
        const answer = dispatch(state, request);
        reply(res, answer.status, request.method === 'HEAD' ? undefined : answer.body);
      })
      .catch((e: unknown) => replyError(req, res, e));
  });
  await listen(server, options.port).catch((e: unknown) => {
    indexes.close();
    throw e;
  });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      indexes.close();
    },
  };
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
