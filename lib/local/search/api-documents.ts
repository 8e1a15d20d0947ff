/**
 * Documents: `PUT|POST /<index>/_doc/<id>`, `POST /<index>/_doc`, `PUT /<index>/_create/<id>`,
 * `GET|HEAD|DELETE /<index>/_doc/<id>`, and `_bulk` (index, create and delete actions, each answered on its own:
 * a version conflict fails that item with 409 and the batch goes on). A request's writes are durable before it
 * is answered (./store.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Answer } from './api-indices';
import { expectObject, isObject, onlyKeys, type JsonObject } from './dsl';
import { SearchError } from './errors';
import type { Indexes } from './indexes';
import { jsonBody, ndjsonBody, type EngineRequest } from './protocol';
import type { SearchIndex, WriteResult } from './search-index';
import { sourceFilter } from './source-filter';
import { writeVersion } from './versions';

const STATUS: Record<WriteResult['result'], number> = { created: 201, updated: 200, deleted: 200, not_found: 404 };
const BULK_ACTION_KEYS = ['_index', '_id', 'version', 'version_type', 'routing', 'require_alias'];

const writeBody = (index: SearchIndex, id: string, result: WriteResult): JsonObject => ({
  _index: index.name,
  _id: id,
  _version: result.version,
  result: result.result,
  _shards: { total: 1, successful: 1, failed: 0 },
  _seq_no: result.seqNo,
  _primary_term: 1,
});

export function indexDocument(
  indexes: Indexes,
  name: string,
  id: string | undefined,
  request: EngineRequest,
  create: boolean,
): Answer {
  const index = indexes.writeTarget(name);
  const docId = id ?? randomBytes(15).toString('base64url');
  checkId(docId);
  const opType = create || request.params.get('op_type') === 'create' ? 'create' : 'index';
  const result = index.index(
    docId,
    jsonBody(request),
    writeVersion(request.params.get('version') ?? undefined, request.params.get('version_type') ?? undefined),
    opType,
  );
  index.flush();
  return { status: STATUS[result.result], body: writeBody(index, docId, result) };
}

export function getDocument(indexes: Indexes, name: string, id: string, request: EngineRequest, head: boolean): Answer {
  const [index] = indexes.resolve(name);
  const document = index?.get(id);
  if (head) return { status: document ? 200 : 404 };
  if (!index || !document) return { status: 404, body: { _index: index?.name ?? name, _id: id, found: false } };
  const filter = sourceFilter(
    request.params.get('_source') ?? undefined,
    request.params.get('_source_includes') ?? undefined,
    request.params.get('_source_excludes') ?? undefined,
  );
  return {
    status: 200,
    body: {
      _index: index.name,
      _id: id,
      _version: document.version,
      _seq_no: document.seqNo,
      _primary_term: 1,
      found: true,
      ...(filter && { _source: filter(document.source) }),
    },
  };
}

export function deleteDocument(indexes: Indexes, name: string, id: string, request: EngineRequest): Answer {
  // A delete never creates its index (OpenSearch auto-creates for writes of documents only).
  indexes.resolve(name);
  const index = indexes.writeTarget(name);
  const result = index.delete(
    id,
    writeVersion(request.params.get('version') ?? undefined, request.params.get('version_type') ?? undefined),
  );
  index.flush();
  return { status: STATUS[result.result], body: writeBody(index, id, result) };
}

function checkId(id: string): void {
  if (!id || Buffer.byteLength(id) > 512)
    throw new SearchError(
      400,
      'action_request_validation_exception',
      `Validation Failed: 1: id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)};`,
    );
}

/** `_bulk`: every item answered in order; `errors` is true when any item failed. */
export function bulk(indexes: Indexes, defaultIndex: string | undefined, request: EngineRequest): Answer {
  const started = performance.now();
  const lines = ndjsonBody(request);
  const items: JsonObject[] = [];
  const touched = new Set<SearchIndex>();
  try {
    for (let i = 0; i < lines.length; i++) {
      const [action, meta] = bulkAction(lines[i], i);
      const needsSource = action !== 'delete';
      if (needsSource && (i + 1 >= lines.length || !isObject(lines[i + 1])))
        throw new SearchError(
          400,
          'illegal_argument_exception',
          `Malformed action/metadata line [${i + 1}]: the [${action}] action needs a source object on the next line`,
        );
      items.push({
        [action]: bulkItem(
          indexes,
          defaultIndex,
          action,
          meta,
          needsSource ? (lines[i + 1] as JsonObject) : undefined,
          touched,
        ),
      });
      if (needsSource) i++;
    }
  } finally {
    // Whatever was written is made durable, even when a malformed line stops the batch.
    for (const index of touched) index.flush();
  }
  return {
    status: 200,
    body: {
      took: Math.round(performance.now() - started),
      errors: items.some((item) => (Object.values(item)[0] as JsonObject).error !== undefined),
      items,
    },
  };
}

function bulkAction(line: unknown, i: number): [string, JsonObject] {
  if (!isObject(line) || Object.keys(line).length !== 1)
    throw new SearchError(
      400,
      'illegal_argument_exception',
      `Malformed action/metadata line [${i + 1}], expected START_OBJECT with one action but found [${JSON.stringify(line)?.slice(0, 80)}]`,
    );
  const [action, meta] = Object.entries(line)[0]!;
  if (action === 'update')
    throw new SearchError(
      400,
      'illegal_argument_exception',
      `Malformed action/metadata line [${i + 1}]: the [update] action is not supported by the local search engine (send index or delete)`,
    );
  if (!['index', 'create', 'delete'].includes(action))
    throw new SearchError(
      400,
      'illegal_argument_exception',
      `Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${action}]`,
    );
  const options = expectObject(meta, action);
  onlyKeys(options, action, BULK_ACTION_KEYS);
  return [action, options];
}

function bulkItem(
  indexes: Indexes,
  defaultIndex: string | undefined,
  action: string,
  meta: JsonObject,
  source: JsonObject | undefined,
  touched: Set<SearchIndex>,
): JsonObject {
  const name = String(meta._index ?? defaultIndex ?? '');
  const id =
    meta._id === undefined ? (action === 'delete' ? '' : randomBytes(15).toString('base64url')) : String(meta._id);
  try {
    if (!name)
      throw new SearchError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
    if (!id) throw new SearchError(400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;');
    const version = writeVersion(meta.version, meta.version_type);
    const index = action === 'delete' ? (indexes.resolve(name), indexes.writeTarget(name)) : indexes.writeTarget(name);
    touched.add(index);
    const result =
      action === 'delete' ? index.delete(id, version) : index.index(id, source!, version, action as 'index' | 'create');
    return { ...writeBody(index, id, result), status: STATUS[result.result] };
  } catch (e) {
    if (!(e instanceof SearchError)) throw e;
    const concrete = typeof e.details.index === 'string' ? e.details.index : name;
    return { _index: concrete, _id: id, status: e.status, error: e.itemError() as JsonObject };
  }
}
