/**
 * The engine's indexes and aliases. A name in a request is an index or an alias; reads resolve an alias to its
 * indexes, writes to its one index. `_aliases` applies all its actions or none: every action is checked
 * first, then the new alias table replaces the old one in memory and on disk at once, so a search during a
 * reindex's swap sees the old index or the new one, never neither.
 */
import { expectArray, expectObject, onlyKeys, singleEntry, type Json, type JsonObject } from './dsl';
import { illegalArgument, indexNotFound, SearchError } from './errors';
import { Mapping } from './mapping';
import { SearchIndex } from './search-index';
import { parseSettings } from './settings';
import { ClusterStore } from './store';

const INVALID_NAME_CHARACTERS = /[\\/*?"<>| ,#:]/;

export class Indexes {
  readonly indexes = new Map<string, SearchIndex>();
  /** Alias → its indexes. */
  private aliases = new Map<string, Set<string>>();

  private constructor(private readonly store?: ClusterStore) {}

  /** The indexes in dataDir (none without one), each rebuilt from its journal. */
  static open(dataDir?: string): Indexes {
    const store = dataDir ? new ClusterStore(dataDir) : undefined;
    const indexes = new Indexes(store);
    if (!store) return indexes;
    const loaded = store.load();
    for (const { metadata, log, records } of loaded.indexes) {
      const index = new SearchIndex(metadata, log, (changed) => store.writeMetadata(changed.metadata));
      for (const record of records) index.apply(record);
      log.compact(index.records());
      indexes.indexes.set(metadata.name, index);
    }
    for (const [alias, names] of Object.entries(loaded.aliases)) {
      const present = names.filter((name) => indexes.indexes.has(name));
      if (present.length) indexes.aliases.set(alias, new Set(present));
    }
    return indexes;
  }

  close(): void {
    for (const index of this.indexes.values()) index.close();
  }

  create(name: string, body: JsonObject): SearchIndex {
    checkIndexName(name);
    if (this.indexes.has(name))
      throw new SearchError(
        400,
        'resource_already_exists_exception',
        `index [${name}/${this.indexes.get(name)!.metadata.uuid}] already exists`,
        { index: name },
      );
    if (this.aliases.has(name))
      throw new SearchError(
        400,
        'invalid_index_name_exception',
        `Invalid index name [${name}], already exists as alias`,
        { index: name },
      );
    onlyKeys(body, 'create index', ['settings', 'mappings', 'aliases']);
    const settings = parseSettings(body.settings);
    const mapping = Mapping.parse(body.mappings);
    const aliasNames = Object.keys(body.aliases === undefined ? {} : expectObject(body.aliases, 'aliases'));
    for (const alias of aliasNames) this.checkAliasName(alias, name);
    const metadata = SearchIndex.newMetadata(name, settings, mapping);
    const log = this.store?.createIndex(metadata);
    const live = new SearchIndex(metadata, log, (changed) => this.store?.writeMetadata(changed.metadata));
    this.indexes.set(name, live);
    if (aliasNames.length) this.replaceAliases(aliasNames.map((alias) => ({ op: 'add', index: name, alias })));
    return live;
  }

  delete(name: string): void {
    if (this.aliases.has(name))
      throw illegalArgument(
        `The provided expression [${name}] matches an alias, specify the corresponding concrete indices instead.`,
      );
    const index = this.indexes.get(name);
    if (!index) throw indexNotFound(name);
    const remaining = [...this.aliases].flatMap(([alias, names]) =>
      [...names].filter((n) => n === name).map((n) => ({ op: 'remove' as const, index: n, alias })),
    );
    if (remaining.length) this.replaceAliases(remaining);
    index.close();
    this.indexes.delete(name);
    this.store?.deleteIndex(name);
  }

  /** The indexes a read of `name` covers (an index, an alias, or `_all`). */
  resolve(name: string): SearchIndex[] {
    if (name === '_all' || name === '*') return [...this.indexes.values()];
    const direct = this.indexes.get(name);
    if (direct) return [direct];
    const aliased = this.aliases.get(name);
    if (!aliased) throw indexNotFound(name);
    return [...aliased].map((index) => this.indexes.get(index)!);
  }

  /** The index a write to `name` goes to, created (with dynamic mapping) when neither index nor alias exists. */
  writeTarget(name: string): SearchIndex {
    const direct = this.indexes.get(name);
    if (direct) return direct;
    const aliased = this.aliases.get(name);
    if (aliased?.size === 1) return this.indexes.get([...aliased][0]!)!;
    if (aliased)
      throw illegalArgument(
        `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
      );
    return this.create(name, {});
  }

  exists(name: string): boolean {
    return this.indexes.has(name) || this.aliases.has(name);
  }

  /** Aliases by index: every index's, or those of the named indexes; only the named aliases when given. */
  aliasesByIndex(indexes?: string[], aliasNames?: string[]): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const name of indexes ?? this.indexes.keys()) result.set(name, []);
    for (const [alias, names] of [...this.aliases].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (aliasNames && !aliasNames.includes(alias)) continue;
      for (const name of names) result.get(name)?.push(alias);
    }
    return result;
  }

  aliasExists(alias: string): boolean {
    return this.aliases.has(alias);
  }

  /** `POST /_aliases`: every action checked, then all applied at once. */
  updateAliases(body: JsonObject): void {
    onlyKeys(body, 'aliases', ['actions']);
    const actions = expectArray(body.actions, 'actions').flatMap((action) => this.parseAction(action));
    if (actions.length === 0)
      throw new SearchError(400, 'action_request_validation_exception', 'Validation Failed: 1: No action specified;');
    this.replaceAliases(actions);
  }

  private parseAction(json: Json): AliasAction[] {
    const [type, value] = singleEntry(json, 'actions');
    if (!['add', 'remove', 'remove_index'].includes(type))
      throw new SearchError(
        400,
        'parsing_exception',
        `Unknown alias action [${type}] (the local search engine supports add, remove, remove_index)`,
      );
    const action = expectObject(value, type);
    onlyKeys(
      action,
      type,
      type === 'remove_index' ? ['index', 'indices'] : ['index', 'indices', 'alias', 'aliases', 'must_exist'],
    );
    const indexes = namesOf(action.index, action.indices, 'index');
    if (type === 'remove_index') return indexes.map((index) => ({ op: 'remove_index', index, alias: '' }));
    const aliases = namesOf(action.alias, action.aliases, 'alias');
    return indexes.flatMap((index) =>
      aliases.map((alias) => ({ op: type as 'add' | 'remove', index, alias, mustExist: action.must_exist !== false })),
    );
  }

  private replaceAliases(actions: AliasAction[]): void {
    const next = new Map([...this.aliases].map(([alias, names]) => [alias, new Set(names)]));
    const removedIndexes = new Set<string>();
    for (const action of actions) {
      if (!this.indexes.has(action.index)) throw indexNotFound(action.index);
      if (action.op === 'remove_index') {
        removedIndexes.add(action.index);
      } else if (action.op === 'add') {
        this.checkAliasName(action.alias, action.index);
        next.set(action.alias, (next.get(action.alias) ?? new Set()).add(action.index));
      } else if (!next.get(action.alias)?.delete(action.index) && action.mustExist) {
        throw new SearchError(404, 'aliases_not_found_exception', `aliases [${action.alias}] missing`, {
          'resource.type': 'aliases',
          'resource.id': action.alias,
        });
      }
    }
    for (const [alias, names] of next) {
      for (const name of removedIndexes) names.delete(name);
      if (names.size === 0) next.delete(alias);
    }
    this.store?.writeAliases(Object.fromEntries([...next].map(([alias, names]) => [alias, [...names]])));
    this.aliases = next;
    // remove_index deletes the index itself once no alias names it.
    for (const name of removedIndexes) this.delete(name);
  }

  private checkAliasName(alias: string, index: string): void {
    if (this.indexes.has(alias))
      throw new SearchError(
        400,
        'invalid_alias_name_exception',
        `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`,
        { index },
      );
    if (!alias || alias.startsWith('_') || INVALID_NAME_CHARACTERS.test(alias))
      throw new SearchError(400, 'invalid_alias_name_exception', `Invalid alias name [${alias}]`, { index });
  }
}

interface AliasAction {
  op: 'add' | 'remove' | 'remove_index';
  index: string;
  alias: string;
  mustExist?: boolean;
}

function namesOf(one: Json | undefined, many: Json | undefined, what: string): string[] {
  const names = one !== undefined ? [one] : many !== undefined ? expectArray(many, `${what}es`) : [];
  if (names.length === 0 || names.some((name) => typeof name !== 'string' || !name))
    throw new SearchError(400, 'action_request_validation_exception', `Validation Failed: 1: ${what} is missing;`);
  if (names.some((name) => /[*?]/.test(String(name))))
    throw illegalArgument(
      `wildcard expressions in alias actions are not supported by the local search engine: [${names.join(', ')}]`,
    );
  return names as string[];
}

export function checkIndexName(name: string): void {
  const invalid = (why: string) =>
    new SearchError(400, 'invalid_index_name_exception', `Invalid index name [${name}], ${why}`, {
      index: name,
      index_uuid: '_na_',
    });
  if (name !== name.toLowerCase()) throw invalid('must be lowercase');
  if (INVALID_NAME_CHARACTERS.test(name))
    throw invalid('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]');
  if (/^[-_+]/.test(name)) throw invalid("must not start with '_', '-', or '+'");
  if (name === '.' || name === '..' || !name) throw invalid("must not be '.' or '..'");
  if (Buffer.byteLength(name) > 255) throw invalid('index name is too long, (' + Buffer.byteLength(name) + ' > 255)');
}
