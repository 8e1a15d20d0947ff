/**
 * The REST routes the engine answers, each with the URL parameters it accepts: an unknown parameter is refused
 * (400, as OpenSearch refuses it), since one that changes the answer (`filter_path`, `typed_keys`…) must not be
 * ignored. Any other path or method is refused with OpenSearch's error shape.
 */
import {
  count,
  createIndex,
  deleteAlias,
  deleteIndex,
  getAliases,
  getIndex,
  headIndex,
  putAlias,
  refresh,
  updateAliases,
  type Answer,
} from './api-indices';
import { bulk, deleteDocument, getDocument, indexDocument } from './api-documents';
import { illegalArgument, SearchError } from './errors';
import type { Indexes } from './indexes';
import { jsonBody, type EngineRequest } from './protocol';
import { search, SEARCH_PARAMS } from './search';

export interface EngineState {
  indexes: Indexes;
  clusterName: string;
  clusterUuid: string;
}

type Handler = (state: EngineState, request: EngineRequest, path: Record<string, string>) => Answer;

interface Route {
  methods: string[];
  pattern: string[];
  params: string[];
  handle: Handler;
}

/** Accepted on every route: they change nothing in the answer. */
const COMMON_PARAMS = [
  'pretty',
  'human',
  'error_trace',
  'timeout',
  'master_timeout',
  'cluster_manager_timeout',
  'wait_for_active_shards',
];
const VERSION_PARAMS = ['version', 'version_type', 'refresh', 'op_type'];

const route = (methods: string, path: string, params: string[], handle: Handler): Route => ({
  methods: methods.split('|'),
  pattern: path.split('/').filter(Boolean),
  params,
  handle,
});

const ROUTES: Route[] = [
  route('GET|HEAD', '/', [], (state, request) => (request.method === 'HEAD' ? { status: 200 } : info(state))),
  route('GET', '/_cluster/health', ['wait_for_status', 'level', 'local'], (state) => health(state)),
  route(
    'GET',
    '/_cluster/health/{index}',
    ['wait_for_status', 'level', 'local'],
    (state, _r, p) => (state.indexes.resolve(p.index!), health(state)),
  ),
  route('POST|PUT', '/_bulk', ['refresh'], (state, request) => bulk(state.indexes, undefined, request)),
  route('POST|PUT', '/{index}/_bulk', ['refresh'], (state, request, p) => bulk(state.indexes, p.index, request)),
  route('GET|POST', '/_search', SEARCH_PARAMS, (state, request) => ({
    status: 200,
    body: search([...state.indexes.indexes.values()], jsonBody(request), request.params),
  })),
  route('GET|POST', '/{index}/_search', SEARCH_PARAMS, (state, request, p) => ({
    status: 200,
    body: search(state.indexes.resolve(p.index!), jsonBody(request), request.params),
  })),
  route('GET|POST', '/{index}/_count', [], (state, request, p) => count(state.indexes, p.index!, request)),
  route('GET|POST', '/_refresh', [], (state) => refresh(state.indexes, undefined)),
  route('GET|POST', '/{index}/_refresh', [], (state, _r, p) => refresh(state.indexes, p.index)),
  route('POST', '/_aliases', [], (state, request) => updateAliases(state.indexes, request)),
  route('GET|HEAD', '/_alias', [], (state, request) =>
    getAliases(state.indexes, undefined, undefined, request.method === 'HEAD'),
  ),
  route('GET|HEAD', '/_alias/{alias}', [], (state, request, p) =>
    getAliases(state.indexes, undefined, p.alias, request.method === 'HEAD'),
  ),
  route('GET|HEAD', '/{index}/_alias', [], (state, request, p) =>
    getAliases(state.indexes, p.index, undefined, request.method === 'HEAD'),
  ),
  route('GET|HEAD', '/{index}/_alias/{alias}', [], (state, request, p) =>
    getAliases(state.indexes, p.index, p.alias, request.method === 'HEAD'),
  ),
  route('PUT|POST', '/{index}/_alias/{alias}', [], (state, request, p) =>
    putAlias(state.indexes, p.index!, p.alias!, request),
  ),
  route('DELETE', '/{index}/_alias/{alias}', [], (state, _r, p) => deleteAlias(state.indexes, p.index!, p.alias!)),
  route('POST', '/{index}/_doc', VERSION_PARAMS, (state, request, p) =>
    indexDocument(state.indexes, p.index!, undefined, request, false),
  ),
  route('PUT|POST', '/{index}/_doc/{id}', VERSION_PARAMS, (state, request, p) =>
    indexDocument(state.indexes, p.index!, p.id!, request, false),
  ),
  route('PUT|POST', '/{index}/_create/{id}', VERSION_PARAMS, (state, request, p) =>
    indexDocument(state.indexes, p.index!, p.id!, request, true),
  ),
  route(
    'GET|HEAD',
    '/{index}/_doc/{id}',
    ['_source', '_source_includes', '_source_excludes', 'realtime', 'refresh'],
    (state, request, p) => getDocument(state.indexes, p.index!, p.id!, request, request.method === 'HEAD'),
  ),
  route('DELETE', '/{index}/_doc/{id}', VERSION_PARAMS, (state, request, p) =>
    deleteDocument(state.indexes, p.index!, p.id!, request),
  ),
  route('PUT', '/{index}', [], (state, request, p) => createIndex(state.indexes, p.index!, request)),
  route('GET', '/{index}', [], (state, _r, p) => getIndex(state.indexes, p.index!)),
  route('HEAD', '/{index}', [], (state, _r, p) => headIndex(state.indexes, p.index!)),
  route('DELETE', '/{index}', [], (state, _r, p) => deleteIndex(state.indexes, p.index!)),
];

export function dispatch(state: EngineState, request: EngineRequest): Answer {
  const matching = ROUTES.map((candidate) => ({ candidate, path: match(candidate.pattern, request.segments) })).filter(
    (found) => found.path !== undefined,
  );
  if (matching.length === 0)
    throw new SearchError(
      400,
      'illegal_argument_exception',
      `no handler found for uri [${request.path}] and method [${request.method}] (the local search engine implements the subset of OpenSearch's API that functions/search uses)`,
    );
  const chosen = matching.find(({ candidate }) => candidate.methods.includes(request.method));
  if (!chosen) {
    const allowed = [...new Set(matching.flatMap(({ candidate }) => candidate.methods))];
    throw new SearchError(
      405,
      'method_not_allowed',
      `Incorrect HTTP method for uri [${request.path}] and method [${request.method}], allowed: [${allowed.join(', ')}]`,
    );
  }
  for (const name of request.params.keys()) {
    if (!chosen.candidate.params.includes(name) && !COMMON_PARAMS.includes(name))
      throw illegalArgument(
        `request [${request.path}] contains unrecognized parameter: [${name}] (not supported by the local search engine)`,
      );
  }
  return chosen.candidate.handle(state, request, chosen.path!);
}

/** A path's parameters when it fits the pattern; a `{name}` segment never starts with `_` (those are API names). */
function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const found: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!;
    const segment = segments[i]!;
    if (part.startsWith('{')) {
      if (segment.startsWith('_') && !(part === '{id}' || (part === '{index}' && segment === '_all'))) return undefined;
      found[part.slice(1, -1)] = segment;
    } else if (part !== segment) return undefined;
  }
  return found;
}

function info(state: EngineState): Answer {
  return {
    status: 200,
    body: {
      name: 'ecicomm-local-search',
      cluster_name: state.clusterName,
      cluster_uuid: state.clusterUuid,
      version: {
        distribution: 'opensearch',
        number: '2.19.0',
        build_type: 'local',
        build_hash: 'ecicomm-local-search-engine',
        build_date: '2025-01-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: '9.12.1',
        minimum_wire_compatibility_version: '7.10.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'The OpenSearch Project: https://opensearch.org/',
    },
  };
}

/** One node, every shard assigned: green. */
function health(state: EngineState): Answer {
  const shards = state.indexes.indexes.size;
  return {
    status: 200,
    body: {
      cluster_name: state.clusterName,
      status: 'green',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      discovered_master: true,
      discovered_cluster_manager: true,
      active_primary_shards: shards,
      active_shards: shards,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: 100,
    },
  };
}
