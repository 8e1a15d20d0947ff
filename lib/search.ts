/**
 * The search context, as data: what a function may do with the products index, the environment through which it
 * finds the engine, and the indexer — the products table's stream consumer that keeps the index current. The CDK
 * builds the OpenSearch domain, the indexer with its mapping, queue and alarms, and the grants
 * (lib/contexts/search.ts); locally `npm start` runs the local engine (lib/local/search/) and the same indexer
 * behind a local event source mapping.
 */
import type { SearchAccess } from './function-spec';
import { STREAM_DELIVERY, type StreamConsumer } from './stream-consumer-spec';

/** The environment a search function reads (functions/search/adapters/opensearch-connection.ts). */
export const SEARCH_ENV = {
  /** The engine's URL: the domain's `https://…` endpoint in AWS, `http://127.0.0.1:<SEARCH_PORT>` locally. */
  endpoint: 'OPENSEARCH_ENDPOINT',
  /** The SigV4 signing name: `es` for an OpenSearch Service domain (the default), `aoss` for Serverless. */
  signingService: 'OPENSEARCH_SIGNING_SERVICE',
} as const;

export interface SearchConsumer extends StreamConsumer {
  search: SearchAccess;
}

export const searchConsumers: SearchConsumer[] = [
  {
    id: 'indexProducts',
    context: 'search',
    handler: 'functions/search/handlers/index-products.ts',
    summary: 'Products table stream → the products search index (ACTIVE indexed, others deleted, at their version)',
    source: { kind: 'table', table: 'products' },
    // The products stream is quiet (catalog edits) but must be fresh (searchable within seconds): small batches.
    batchSize: 100,
    onFailureQueueName: 'search-products-stream-failures',
    // It reads nothing but its stream: the documents are the stream's images.
    tables: {},
    ...STREAM_DELIVERY,
    search: 'write',
  },
];
