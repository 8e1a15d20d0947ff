/**
 * Field values: what a document holds for a mapped field, normalized as OpenSearch indexes it (keywords as
 * strings up to `ignore_above`, numbers, dates as epoch milliseconds, booleans), and the admission of a document
 * against its index's mapping — a value the field's type cannot take is refused (`mapper_parsing_exception`), an
 * unmapped field is refused under `dynamic: strict` and mapped as OpenSearch maps it under `dynamic: true`.
 */
import { isObject, type Json, type JsonObject } from './dsl';
import { SearchError } from './errors';
import { INTEGER_TYPES, Mapping, mappingError, type ResolvedField } from './mapping';

export type Scalar = string | number | boolean;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A date as `strict_date_optional_time||epoch_millis` reads it, in epoch milliseconds (UTC when no zone). */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^-?\d+$/.test(value)) return Number(value);
  const parts = ISO_DATE.exec(value);
  if (!parts) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = parts;
  const millis = Date.parse(
    `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction.slice(0, 4).padEnd(fraction ? 4 : 0, '0')}${zone}`,
  );
  return Number.isNaN(millis) ? undefined : millis;
}

/** Every scalar at a `_source` path (arrays flattened, objects along the path followed). */
export function sourceValues(source: JsonObject, path: string): Json[] {
  let values: Json[] = [source];
  for (const part of path.split('.')) {
    values = values
      .flatMap((value) => (isObject(value) && value[part] !== undefined ? [value[part]!] : []))
      .flatMap((value) => (Array.isArray(value) ? value.flat(Infinity as 1) : [value]));
  }
  return values.filter((value) => value !== null);
}

/** A scalar as a field of `type` indexes it; undefined when the type cannot take it. */
export function normalize(type: string, value: Json): Scalar | undefined {
  if (isObject(value) || Array.isArray(value) || value === null) return undefined;
  switch (type) {
    case 'text':
    case 'keyword':
      return String(value);
    case 'date':
      return parseDate(value);
    case 'boolean':
      return value === true || value === 'true'
        ? true
        : value === false || value === 'false' || value === ''
          ? false
          : undefined;
    default: {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(number)) return undefined;
      return INTEGER_TYPES.includes(type) ? Math.trunc(number) : number;
    }
  }
}

/** The indexed values of a field (not for `completion`: see completionInputs). */
export function fieldValues(field: ResolvedField, source: JsonObject): Scalar[] {
  const values: Scalar[] = [];
  for (const raw of sourceValues(source, field.sourcePath)) {
    const value = normalize(field.type, raw);
    if (value === undefined) continue;
    if (field.ignoreAbove !== undefined && typeof value === 'string' && value.length > field.ignoreAbove) continue;
    values.push(value);
  }
  return values;
}

export interface CompletionInput {
  input: string;
  weight: number;
}

/** A completion field's inputs: `"text"`, `["a","b"]`, `{input, weight}` or an array of those. */
export function completionInputs(field: ResolvedField, source: JsonObject): CompletionInput[] {
  const entries = sourceValuesRaw(source, field.sourcePath);
  return entries.flatMap((entry): CompletionInput[] => {
    if (typeof entry === 'string') return [{ input: entry, weight: 1 }];
    if (!isObject(entry)) return [];
    const inputs = Array.isArray(entry.input) ? entry.input : [entry.input];
    const weight = typeof entry.weight === 'number' ? entry.weight : 1;
    return inputs.filter((input): input is string => typeof input === 'string').map((input) => ({ input, weight }));
  });
}

function sourceValuesRaw(source: JsonObject, path: string): Json[] {
  let value: Json | undefined = source;
  for (const part of path.split('.')) value = isObject(value) ? value[part] : undefined;
  return value === undefined || value === null ? [] : Array.isArray(value) ? value.flat(Infinity as 1) : [value];
}

/** The mapping a document is indexed under: the index's own, or it extended by dynamic mapping. */
export function admit(mapping: Mapping, source: JsonObject, id: string): Mapping {
  return admitObject(mapping, source, '', id);
}

function admitObject(initial: Mapping, object: JsonObject, prefix: string, id: string): Mapping {
  let mapping = initial;
  for (const [key, value] of Object.entries(object)) {
    const path = prefix + key;
    let { entry, dynamic } = mapping.entryAt(path);
    if (!entry) {
      if (value === null || (Array.isArray(value) && value.length === 0)) continue;
      if (dynamic === 'strict')
        throw new SearchError(
          400,
          'strict_dynamic_mapping_exception',
          `mapping set to strict, dynamic introduction of [${key}] within [${prefix ? prefix.slice(0, -1) : '_doc'}] is not allowed`,
        );
      if (dynamic === 'false') continue;
      mapping = mapping.withField(path, dynamicEntry(value));
      entry = mapping.entryAt(path).entry!;
    }
    mapping = admitValue(mapping, String(entry.type ?? 'object'), path, value, id);
  }
  return mapping;
}

function admitValue(initial: Mapping, type: string, path: string, value: Json, id: string): Mapping {
  let mapping = initial;
  const values = Array.isArray(value) ? value.flat(Infinity as 1) : [value];
  for (const item of values) {
    if (item === null) continue;
    if (type === 'object') {
      if (!isObject(item))
        throw mappingError(
          `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`,
        );
      mapping = admitObject(mapping, item, `${path}.`, id);
    } else if (type === 'completion') {
      if (!(typeof item === 'string' || (isObject(item) && isCompletionObject(item))))
        throw fieldError(path, type, id, item);
    } else if (normalize(type, item) === undefined) {
      throw fieldError(path, type, id, item);
    }
  }
  return mapping;
}

const isCompletionObject = (item: JsonObject) =>
  Object.keys(item).every((key) => key === 'input' || key === 'weight') &&
  (typeof item.input === 'string' ||
    (Array.isArray(item.input) && item.input.every((input) => typeof input === 'string'))) &&
  (item.weight === undefined || (Number.isInteger(item.weight) && (item.weight as number) >= 0));

const fieldError = (path: string, type: string, id: string, value: Json) =>
  mappingError(
    `failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`,
  );

/** OpenSearch's dynamic mapping of a new field, from its first value. */
function dynamicEntry(value: Json): JsonObject {
  const first = Array.isArray(value) ? value.flat(Infinity as 1).find((item) => item !== null) : value;
  if (isObject(first)) return { type: 'object', properties: {} };
  if (typeof first === 'boolean') return { type: 'boolean' };
  if (typeof first === 'number') return { type: Number.isInteger(first) ? 'long' : 'float' };
  if (typeof first === 'string' && ISO_DATE.test(first) && parseDate(first) !== undefined) return { type: 'date' };
  return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
}
