/**
 * What a function may do in the product search engine, as data — like lib/tables.ts and lib/streams.ts: the CDK
 * app turns each level into the domain access policy's statement for that function's role
 * (lib/contexts/search.ts). The levels follow the requests the search context sends (the OpenSearch API subset
 * of the search contract), so a role can make those requests and no others the paths can tell apart.
 */

/**
 * - read: the search routes (GET /v1/search, /v1/search/suggest): `POST /products/_search` only.
 * - index: the products-stream indexer: documents through the alias (`_bulk`, `_doc`), never an index or the alias.
 * - manage: the reindex: create, fill, refresh and delete concrete indexes, and swap the alias.
 * - status: the health check: the cluster's health, nothing of the data.
 */
export type SearchAccess = 'read' | 'index' | 'manage' | 'status';

/** The alias every function reads and writes through; concrete indexes are `products-v<n>-<timestamp>`. */
export const SEARCH_ALIAS = 'products';

export type SearchHttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** Requests allowed: these methods on these paths of the domain (relative, no leading slash; `*` matches anything, `/` included). */
export interface SearchPermission {
  readonly methods: readonly SearchHttpMethod[];
  readonly paths: readonly string[];
}

export const searchPermissions: Readonly<Record<SearchAccess, readonly SearchPermission[]>> = {
  // The client sends a search with a body as POST; GET with a body is the same request.
  read: [{ methods: ['GET', 'POST'], paths: [`${SEARCH_ALIAS}/_search`] }],
  index: [
    // A `_bulk` at the root names its indexes in the body, where IAM cannot look: the domain holds only the
    // product indexes, and `_bulk` writes documents, it cannot create, delete or re-alias an index.
    { methods: ['POST', 'PUT'], paths: ['_bulk', `${SEARCH_ALIAS}/_bulk`] },
    { methods: ['GET', 'PUT', 'DELETE'], paths: [`${SEARCH_ALIAS}/_doc/*`] },
  ],
  manage: [
    // `products*`: the alias and every concrete index, their documents, _bulk, _refresh, _alias and _search.
    { methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'], paths: [`${SEARCH_ALIAS}*`, '_bulk'] },
    { methods: ['GET'], paths: [`_alias/${SEARCH_ALIAS}`, '_cluster/health'] },
    // The atomic swap: one POST /_aliases with remove + add.
    { methods: ['POST'], paths: ['_aliases'] },
  ],
  status: [{ methods: ['GET'], paths: ['_cluster/health'] }],
};

/** The IAM action of an HTTP method on an OpenSearch Service domain: es:ESHttpGet, es:ESHttpPost, … */
export const searchIamAction = (method: SearchHttpMethod) => `es:ESHttp${method[0]}${method.slice(1).toLowerCase()}`;
