import { Client } from '@opensearch-project/opensearch';
import { signedConnection, type ClientTuning, type LocalCredentials, type SearchEnv } from './opensearch-connection';

/**
 * The whole OpenSearch client, for the indexer, the reindex and the local platform (bulk writes, index and alias
 * management). Its module loads every API namespace of the library (about 250 KiB of CommonJS), which a query route
 * does not need: those take the transport alone (./opensearch-transport.ts).
 */
export const openSearchClient = (env: SearchEnv, tuning: ClientTuning, credentials?: LocalCredentials): Client =>
  new Client(signedConnection(env, tuning, credentials));
