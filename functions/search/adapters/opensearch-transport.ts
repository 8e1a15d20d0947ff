/**
 * The OpenSearch client's transport without the client: its connection pool, serializer, retries, timeouts and
 * SigV4 signing, built from the library's own classes exactly as its Client constructor builds them (lib/Client.js,
 * with the defaults it applies; checked against the Client request by request in
 * test/unit/opensearch-transport.test.ts). What a query route sends — a search, the cluster's health — is one
 * `transport.request` each, while the Client's module loads every API namespace of the library at import (about
 * 250 KiB of CommonJS) for methods they never call: with the transport alone, searchProducts' init as deployed went
 * 92.5 → 76.2 ms and the health check's 96.8 → 75.7 ms (README, cold start).
 */
import { EventEmitter } from 'node:events';
import { ConnectionPool } from '@opensearch-project/opensearch/lib/pool/index.js';
import Serializer from '@opensearch-project/opensearch/lib/Serializer.js';
import type Transport from '@opensearch-project/opensearch/lib/Transport.js';
import { signedConnection, type ClientTuning, type LocalCredentials, type SearchEnv } from './opensearch-connection';

/** The Client's defaults for what it passes on to the pool and the transport (lib/Client.js). */
const CLIENT_DEFAULTS = {
  pingTimeout: 3000,
  sniffInterval: false,
  sniffOnStart: false,
  sniffEndpoint: '_nodes/_all/http',
  sniffOnConnectionFault: false,
  suggestCompression: false,
  compression: false,
  ssl: null,
  agent: null,
  proxy: null,
  nodeFilter: null,
  nodeSelector: 'round-robin',
  generateRequestId: null,
  name: 'opensearch-js',
  auth: null,
  opaqueIdPrefix: null,
  context: null,
} as const;

export type OpenSearchTransport = Pick<Transport, 'request'>;

// The library's typings leave out the nulls and falses its Client passes (and its classes accept): the values are the
// Client's, the types cast once.
type PoolOptions = ConstructorParameters<typeof ConnectionPool>[0];
type TransportOptions = ConstructorParameters<typeof Transport>[0];

export function openSearchTransport(
  env: SearchEnv,
  tuning: ClientTuning,
  credentials?: LocalCredentials,
): OpenSearchTransport {
  const connection = signedConnection(env, tuning, credentials);
  const options = { ...CLIENT_DEFAULTS, ...connection };
  const events = new EventEmitter();
  const emit = events.emit.bind(events);
  const connectionPool = new ConnectionPool({
    pingTimeout: options.pingTimeout,
    resurrectStrategy: options.resurrectStrategy,
    ssl: options.ssl,
    agent: options.agent,
    proxy: options.proxy,
    Connection: options.Connection,
    auth: options.auth,
    emit,
    sniffEnabled: false,
  } as unknown as PoolOptions);
  connectionPool.addConnection(options.node);
  return new options.Transport({
    emit,
    connectionPool,
    serializer: new Serializer({ disablePrototypePoisoningProtection: false, enableLongNumeralSupport: false }),
    maxRetries: options.maxRetries,
    requestTimeout: options.requestTimeout,
    sniffInterval: options.sniffInterval,
    sniffOnStart: options.sniffOnStart,
    sniffOnConnectionFault: options.sniffOnConnectionFault,
    sniffEndpoint: options.sniffEndpoint,
    suggestCompression: options.suggestCompression,
    compression: options.compression,
    // The Client's one environment switch (compatibility with clients of version 7).
    headers:
      process.env.OPENSEARCH_CLIENT_APIVERSIONING === 'true'
        ? { accept: 'application/vnd.opensearch+json; compatible-with=7' }
        : {},
    nodeFilter: options.nodeFilter,
    nodeSelector: options.nodeSelector,
    generateRequestId: options.generateRequestId,
    name: options.name,
    opaqueIdPrefix: options.opaqueIdPrefix,
    context: options.context,
    auth: options.auth,
  } as unknown as TransportOptions);
}
