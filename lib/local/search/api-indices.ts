/** Index and alias management: `PUT|GET|HEAD|DELETE /<index>`, `_alias`, `_aliases`, `_refresh`, `_count`. */
import { expectObject } from './dsl';
import { SearchError } from './errors';
import type { Indexes } from './indexes';
import { jsonBody, type EngineRequest } from './protocol';
import { evaluate } from './query';
import { settingsJson } from './settings';

export interface Answer {
  status: number;
  body?: unknown;
}

const ok = (body?: unknown): Answer => ({ status: 200, body });
const shards = (count: number) => ({ total: count, successful: count, failed: 0 });

export function createIndex(indexes: Indexes, name: string, request: EngineRequest): Answer {
  indexes.create(name, jsonBody(request));
  return ok({ acknowledged: true, shards_acknowledged: true, index: name });
}

export function getIndex(indexes: Indexes, name: string): Answer {
  const resolved = indexes.resolve(name);
  const aliases = indexes.aliasesByIndex(resolved.map((index) => index.name));
  return ok(
    Object.fromEntries(
      resolved.map((index) => [
        index.name,
        {
          aliases: Object.fromEntries(aliases.get(index.name)!.map((alias) => [alias, {}])),
          mappings: index.mapping.toJSON(),
          settings: settingsJson(index.metadata.settings, index.metadata),
        },
      ]),
    ),
  );
}

export const headIndex = (indexes: Indexes, name: string): Answer => ({ status: indexes.exists(name) ? 200 : 404 });

export function deleteIndex(indexes: Indexes, name: string): Answer {
  indexes.delete(name);
  return ok({ acknowledged: true });
}

/** `GET /_alias[/<alias>]`, `GET /<index>/_alias[/<alias>]`: `{<index>: {aliases: {<alias>: {}}}}`. */
export function getAliases(
  indexes: Indexes,
  index: string | undefined,
  alias: string | undefined,
  head: boolean,
): Answer {
  const names = index === undefined ? undefined : indexes.resolve(index).map((found) => found.name);
  const aliasNames = alias?.split(',');
  const byIndex = indexes.aliasesByIndex(names, aliasNames);
  const missing =
    aliasNames?.filter(
      (name) => !indexes.aliasExists(name) || ![...byIndex.values()].some((list) => list.includes(name)),
    ) ?? [];
  const body = Object.fromEntries(
    [...byIndex]
      .filter(([, list]) => !aliasNames || list.length > 0)
      .map(([name, list]) => [name, { aliases: Object.fromEntries(list.map((a) => [a, {}])) }]),
  );
  if (head) return { status: missing.length && aliasNames ? 404 : 200 };
  // OpenSearch answers a missing alias with a 404 whose `error` is a sentence, not an object.
  if (aliasNames && missing.length)
    return { status: 404, body: { ...body, error: `alias [${missing.join(',')}] missing`, status: 404 } };
  return ok(body);
}

export function updateAliases(indexes: Indexes, request: EngineRequest): Answer {
  indexes.updateAliases(jsonBody(request));
  return ok({ acknowledged: true });
}

export function putAlias(indexes: Indexes, index: string, alias: string, request: EngineRequest): Answer {
  const body = jsonBody(request);
  if (Object.keys(body).length)
    throw new SearchError(
      400,
      'parsing_exception',
      'alias options (filter, routing, is_write_index) are not supported by the local search engine',
    );
  indexes.updateAliases({ actions: [{ add: { index, alias } }] });
  return ok({ acknowledged: true });
}

export function deleteAlias(indexes: Indexes, index: string, alias: string): Answer {
  indexes.updateAliases({ actions: [{ remove: { index, alias } }] });
  return ok({ acknowledged: true });
}

/** Writes are searchable as soon as they are acknowledged: a refresh has nothing left to do. */
export function refresh(indexes: Indexes, name: string | undefined): Answer {
  const count = name === undefined ? indexes.indexes.size : indexes.resolve(name).length;
  return ok({ _shards: shards(count) });
}

export function count(indexes: Indexes, name: string, request: EngineRequest): Answer {
  const body = jsonBody(request);
  const query = body.query === undefined ? { match_all: {} } : expectObject(body.query, 'query');
  if (Object.keys(body).some((key) => key !== 'query'))
    throw new SearchError(
      400,
      'parsing_exception',
      'request does not support [' + Object.keys(body).find((key) => key !== 'query') + ']',
    );
  const resolved = name === '_all' ? [...indexes.indexes.values()] : indexes.resolve(name);
  const now = Date.now();
  const total = resolved.reduce((sum, index) => sum + evaluate(query, { index, now }).size, 0);
  return ok({ count: total, _shards: { ...shards(resolved.length), skipped: 0 } });
}
