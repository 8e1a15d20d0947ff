/**
 * `_source` filtering of hits and suggestions: `false`, `true`, a path or a list of paths (`*` wildcards), or
 * `{includes, excludes}`. A path keeps a field and everything under it.
 */
import { expectArray, isObject, onlyKeys, type Json, type JsonObject } from './dsl';
import { parsingError } from './errors';

export type SourceFilter = ((source: JsonObject) => JsonObject) | false;

const pattern = (path: string) =>
  new RegExp(
    `^${path
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}(\\..*)?$`,
  );
const paths = (value: Json | undefined, where: string): RegExp[] =>
  value === undefined
    ? []
    : (typeof value === 'string' ? [value] : expectArray(value, where)).map((path) => pattern(String(path)));

export function sourceFilter(config: Json | undefined, includes?: string, excludes?: string): SourceFilter {
  if (config === false || config === 'false') return false;
  let include: RegExp[] = [];
  let exclude: RegExp[] = [];
  if (isObject(config)) {
    onlyKeys(config, '_source', ['includes', 'excludes', 'include', 'exclude']);
    include = paths(config.includes ?? config.include, '_source.includes');
    exclude = paths(config.excludes ?? config.exclude, '_source.excludes');
  } else if (typeof config === 'string' && config !== 'true') {
    include = config.split(',').map(pattern);
  } else if (Array.isArray(config)) {
    include = paths(config, '_source');
  } else if (config !== undefined && config !== true && config !== 'true') {
    throw parsingError('[_source] must be a boolean, a string, an array or an object');
  }
  if (includes) include.push(...includes.split(',').map(pattern));
  if (excludes) exclude.push(...excludes.split(',').map(pattern));
  if (!include.length && !exclude.length) return (source) => source;
  return (source) => filterObject(source, '', include, exclude);
}

function filterObject(object: JsonObject, prefix: string, include: RegExp[], exclude: RegExp[]): JsonObject {
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    const path = prefix + key;
    if (exclude.some((re) => re.test(path))) continue;
    const whole = include.length === 0 || include.some((re) => re.test(path));
    if (whole && !isObject(value) && !(Array.isArray(value) && value.some(isObject))) {
      kept[key] = value;
      continue;
    }
    const below = (item: Json): Json | undefined =>
      isObject(item) ? filterObject(item, `${path}.`, whole ? [] : include, exclude) : whole ? item : undefined;
    if (isObject(value)) {
      const child = below(value) as JsonObject;
      if (whole || Object.keys(child).length) kept[key] = child;
    } else if (Array.isArray(value)) {
      const items = value
        .map(below)
        .filter((item) => item !== undefined && !(isObject(item) && !whole && Object.keys(item).length === 0));
      if (whole || items.length) kept[key] = items as Json[];
    }
  }
  return kept;
}
