import * as z from 'zod/mini';
import { DynamoProductRepository } from '../catalog/adapters/dynamo-products';
import { dynamoClient, dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { RepositoryCatalogProducts } from './adapters/catalog-products';
import { openSearchClient } from './adapters/opensearch-client';
import { SearchEnv, WRITE_TUNING } from './adapters/opensearch-connection';
import { OpenSearchProductIndex } from './adapters/opensearch-index';
import type { ReindexDeps } from './ports';

/** The index's writers move pages of documents and manage the alias: the whole client, patient. */
const productIndex = () => new OpenSearchProductIndex(openSearchClient(parseEnv(SearchEnv), WRITE_TUNING));

/** The indexer: writes, and the alias's migration on its first batch. */
export const liveIndexerDeps = () => ({ index: productIndex() });

/** The reindex: the index and its alias, and the catalog's products from the products table. */
export function liveReindexDeps(): ReindexDeps {
  const { PRODUCTS_TABLE } = parseEnv(z.object({ PRODUCTS_TABLE: z.string().check(z.minLength(1)) }));
  return {
    index: productIndex(),
    catalog: new RepositoryCatalogProducts(
      new DynamoProductRepository(dynamoDocumentClient(), PRODUCTS_TABLE),
      dynamoClient(),
      PRODUCTS_TABLE,
    ),
    clock: systemClock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
