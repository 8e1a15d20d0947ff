/**
 * Index settings: the ones the contract sends (`number_of_shards`, `number_of_replicas`: accepted, one local
 * shard serves them) and the ones that change what the engine answers (`max_result_window`, `gc_deletes`).
 * Written nested (`{"index":{"number_of_shards":1}}`) or flat (`"index.number_of_shards"`), as OpenSearch takes them.
 */
import { isObject, type Json, type JsonObject } from './dsl';
import { illegalArgument } from './errors';

export interface IndexSettings {
  numberOfShards: number;
  numberOfReplicas: number;
  refreshInterval: string;
  maxResultWindow: number;
  gcDeletesMs: number;
}

const DEFAULTS: IndexSettings = {
  numberOfShards: 1,
  numberOfReplicas: 1,
  refreshInterval: '1s',
  maxResultWindow: 10_000,
  gcDeletesMs: 60_000,
};
const KNOWN = ['number_of_shards', 'number_of_replicas', 'refresh_interval', 'max_result_window', 'gc_deletes'];
const UNITS: Record<string, number> = {
  nanos: 1e-6,
  micros: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A time value (`500ms`, `60s`, `365d`) in milliseconds, or undefined. */
export function parseTimeValue(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(String(value).trim());
  return match ? Number(match[1]) * UNITS[match[2]!]! : undefined;
}

export function parseSettings(json: Json | undefined): IndexSettings {
  const flat = flatten(json ?? {}, '');
  const settings = { ...DEFAULTS };
  for (const [key, value] of Object.entries(flat)) {
    const name = key.startsWith('index.') ? key.slice('index.'.length) : key;
    if (!KNOWN.includes(name))
      throw illegalArgument(
        `unknown setting [index.${name}] (the local search engine supports index.${KNOWN.join(', index.')})`,
      );
    if (name === 'refresh_interval') {
      if (String(value) !== '-1' && parseTimeValue(value) === undefined)
        throw illegalArgument(
          `failed to parse setting [index.refresh_interval] with value [${String(value)}] as a time value`,
        );
      settings.refreshInterval = String(value);
    } else if (name === 'gc_deletes') {
      const ms = parseTimeValue(value);
      if (ms === undefined)
        throw illegalArgument(
          `failed to parse setting [index.gc_deletes] with value [${String(value)}] as a time value`,
        );
      settings.gcDeletesMs = ms;
    } else {
      const number = Number(value);
      if (!Number.isInteger(number) || number < (name === 'number_of_replicas' ? 0 : 1))
        throw illegalArgument(`Failed to parse value [${String(value)}] for setting [index.${name}]`);
      if (name === 'number_of_shards') settings.numberOfShards = number;
      else if (name === 'number_of_replicas') settings.numberOfReplicas = number;
      else settings.maxResultWindow = number;
    }
  }
  return settings;
}

function flatten(json: Json, prefix: string): Record<string, Json> {
  if (!isObject(json)) throw illegalArgument(`[settings] must be an object`);
  const flat: Record<string, Json> = {};
  for (const [key, value] of Object.entries(json)) {
    if (isObject(value)) Object.assign(flat, flatten(value, `${prefix}${key}.`));
    else flat[prefix + key] = value;
  }
  return flat;
}

/** The settings as `GET /<index>` shows them (values as strings, as OpenSearch does). */
export function settingsJson(
  settings: IndexSettings,
  index: { name: string; uuid: string; createdAt: number },
): JsonObject {
  return {
    index: {
      number_of_shards: String(settings.numberOfShards),
      number_of_replicas: String(settings.numberOfReplicas),
      refresh_interval: settings.refreshInterval,
      max_result_window: String(settings.maxResultWindow),
      gc_deletes: `${settings.gcDeletesMs}ms`,
      uuid: index.uuid,
      creation_date: String(index.createdAt),
      provided_name: index.name,
      version: { created: '136407827' },
    },
  };
}

/** What is kept of an index beside its documents (meta.json). */
export interface IndexMetadata {
  name: string;
  uuid: string;
  createdAt: number;
  settings: IndexSettings;
  mappings: JsonObject;
}
