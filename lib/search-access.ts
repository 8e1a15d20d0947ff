/**
 * What each access level of lib/search.ts lets a function do in the search engine, as the requests it may send —
 * the ones functions/search/adapters/opensearch-index.ts sends for that use, and no others the paths can tell
 * apart. The CDK turns each level into the domain access policy's statements for a function's role
 * (lib/contexts/search.ts); the reindex, run by an operator, gets its own list (a managed policy to attach).
 */
import { PRODUCTS_ALIAS } from '../functions/search/index-definition';
import type { SearchAccess } from './function-spec';

export type SearchHttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** These methods on these paths of the domain (relative, no leading slash; `*` matches anything, `/` included). */
export interface SearchPermission {
  readonly methods: readonly SearchHttpMethod[];
  readonly paths: readonly string[];
}

/** Concrete indexes are `products-v<MAPPING_VERSION>-<yyyymmddhhmmssSSS>`; the bootstrap one's stamp is all zeros. */
const CONCRETE_INDEXES = `${PRODUCTS_ALIAS}-v*`;
const BOOTSTRAP_INDEXES = `${PRODUCTS_ALIAS}-v*-${'0'.repeat(17)}`;

export const searchPermissions: Readonly<Record<SearchAccess, readonly SearchPermission[]>> = {
  // Searches and suggestions: POST /products/_search (the client sends a search with a body as POST).
  read: [{ methods: ['GET', 'POST'], paths: [`${PRODUCTS_ALIAS}/_search`] }],
  // The indexer: POST /_bulk through the alias, and on its first batch the alias's migration (ensureProductsIndex):
  // read the alias, create the bootstrap index, point the alias to it. A root `_bulk` names its indexes in the body,
  // where IAM cannot look; the domain holds only the product indexes, and `_bulk` cannot delete or re-alias one.
  write: [
    { methods: ['POST'], paths: ['_bulk', '_aliases'] },
    { methods: ['GET'], paths: [`_alias/${PRODUCTS_ALIAS}`] },
    { methods: ['PUT'], paths: [BOOTSTRAP_INDEXES] },
  ],
  // The health check: GET /_cluster/health, nothing of the data.
  status: [{ methods: ['GET'], paths: ['_cluster/health'] }],
};

/**
 * The reindex (functions/search/domain/reindex.ts): read the alias, create a concrete index, bulk-load and refresh
 * it, swap the alias in one POST /_aliases, delete the old index.
 */
export const reindexPermissions: readonly SearchPermission[] = [
  { methods: ['POST'], paths: ['_bulk', '_aliases', `${CONCRETE_INDEXES}/_refresh`] },
  { methods: ['GET'], paths: [`_alias/${PRODUCTS_ALIAS}`] },
  { methods: ['PUT', 'DELETE'], paths: [CONCRETE_INDEXES] },
];

/** The IAM action of an HTTP method on an OpenSearch Service domain: es:ESHttpGet, es:ESHttpPost, … */
export const searchIamAction = (method: SearchHttpMethod) => `es:ESHttp${method[0]}${method.slice(1).toLowerCase()}`;
