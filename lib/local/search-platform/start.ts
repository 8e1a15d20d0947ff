/**
 * Search on the local substrate: the local engine (lib/local/search/, OpenSearch's REST subset) on 127.0.0.1,
 * its data under LOCAL_DATA_DIR/search, requests signed with the platform's per-run secret; the environment the
 * search functions read (the same variables as in AWS); and the products index made and loaded from the table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProductRepository } from '../../../functions/catalog/adapters/dynamo-products';
import { RepositoryCatalogProducts } from '../../../functions/search/adapters/catalog-products';
import { openSearchClient } from '../../../functions/search/adapters/opensearch-client';
import { WRITE_TUNING } from '../../../functions/search/adapters/opensearch-connection';
import { OpenSearchProductIndex } from '../../../functions/search/adapters/opensearch-index';
import { SEARCH_ENV } from '../../search';
import type { LocalCredentials } from '../guard/sigv4';
import type { SeedProduct } from '../../../catalog-data/catalog';
import { indexCatalog, type CatalogIndexing } from './index-catalog';
import { SeededCatalogProducts } from './seeded-catalog';

/** The local engine's entry (lib/local/search/thread.ts startSearchEngineThread on the platform; server.ts in tests). */
export type SearchEngineStarter = (options: {
  port: number;
  dataDir?: string;
  credentials: LocalCredentials;
  signingService?: string;
}) => Promise<{
  endpoint: string;
  stop(): Promise<void>;
}>;

export interface LocalSearchOptions {
  startEngine: SearchEngineStarter;
  port: number;
  /** Where the engine keeps its indexes; in memory without one. */
  dataDir?: string;
  region: string;
  credentials: LocalCredentials;
}

export interface LocalSearch {
  endpoint: string;
  /** OPENSEARCH_ENDPOINT and OPENSEARCH_SIGNING_SERVICE, for the handlers. */
  env: Record<string, string>;
  /**
   * Makes (or rebuilds) the products index and loads it, when needed: from `seeding`, the catalog a fresh start is
   * writing to the products table meanwhile (./seeded-catalog.ts), otherwise from the table.
   */
  indexCatalog(options: {
    dynamoEndpoint: string;
    productsTable: string;
    seeding?: readonly SeedProduct[];
    onProgress?: (done: number, total: number) => void;
  }): Promise<CatalogIndexing>;
  stop(): Promise<void>;
}

const SIGNING_SERVICE = 'es';

export async function startLocalSearch(options: LocalSearchOptions): Promise<LocalSearch> {
  const engine = await options.startEngine({
    port: options.port,
    dataDir: options.dataDir,
    credentials: options.credentials,
    signingService: SIGNING_SERVICE,
  });
  const env = { [SEARCH_ENV.endpoint]: engine.endpoint, [SEARCH_ENV.signingService]: SIGNING_SERVICE };
  return {
    endpoint: engine.endpoint,
    env,
    indexCatalog: async ({ dynamoEndpoint, productsTable, seeding, onProgress }) => {
      const dynamo = new DynamoDBClient({
        region: options.region,
        endpoint: dynamoEndpoint,
        credentials: options.credentials,
      });
      // The same client and adapter as the functions, signed with the run's credentials (the engine checks them).
      const client = openSearchClient(
        {
          OPENSEARCH_ENDPOINT: engine.endpoint,
          OPENSEARCH_SIGNING_SERVICE: SIGNING_SERVICE,
          AWS_REGION: options.region,
        },
        WRITE_TUNING,
        options.credentials,
      );
      try {
        const repository = new DynamoProductRepository(DynamoDBDocumentClient.from(dynamo), productsTable);
        return await indexCatalog({
          index: new OpenSearchProductIndex(client),
          catalog: seeding
            ? new SeededCatalogProducts(seeding)
            : new RepositoryCatalogProducts(repository, dynamo, productsTable),
          onProgress,
        });
      } finally {
        await client.close();
        dynamo.destroy();
      }
    },
    stop: () => engine.stop(),
  };
}
