/**
 * An index's mapping: the field types the engine understands (`text` with an analyzer and sub-fields, `keyword`,
 * the numeric types, `date`, `boolean`, `completion`, objects), `dynamic` (`strict` refuses an unmapped field,
 * `true` maps it as OpenSearch's dynamic mapping would, `false` keeps it in `_source` only). Anything else is
 * refused with OpenSearch's `mapper_parsing_exception`, never ignored.
 */
import { isAnalyzer } from './analysis';
import { isObject, type Json, type JsonObject } from './dsl';
import { SearchError } from './errors';

export const NUMERIC_TYPES = ['integer', 'long', 'short', 'byte', 'float', 'double', 'half_float'] as const;
export const INTEGER_TYPES: readonly string[] = ['integer', 'long', 'short', 'byte'];
export type FieldType =
  'text' | 'keyword' | 'date' | 'boolean' | 'completion' | 'object' | (typeof NUMERIC_TYPES)[number];

/** A field as queries see it: `category.keyword` is the keyword sub-field of the `category` value of `_source`. */
export interface ResolvedField {
  path: string;
  /** Where the value is in `_source`. */
  sourcePath: string;
  type: Exclude<FieldType, 'object'>;
  analyzer: string;
  searchAnalyzer: string;
  ignoreAbove?: number;
}

const PARAMETERS: Record<string, readonly string[]> = {
  text: ['type', 'analyzer', 'search_analyzer', 'fields'],
  keyword: ['type', 'ignore_above', 'fields'],
  date: ['type', 'format'],
  boolean: ['type'],
  completion: [
    'type',
    'analyzer',
    'search_analyzer',
    'preserve_separators',
    'preserve_position_increments',
    'max_input_length',
  ],
  object: ['type', 'properties', 'dynamic'],
  ...Object.fromEntries(NUMERIC_TYPES.map((type) => [type, ['type', 'coerce']])),
};
const DATE_FORMATS = [
  'strict_date_optional_time',
  'date_optional_time',
  'epoch_millis',
  'strict_date_optional_time||epoch_millis',
  'date_optional_time||epoch_millis',
];
const DYNAMIC = ['strict', 'true', 'false'];

export const mappingError = (reason: string) => new SearchError(400, 'mapper_parsing_exception', reason);

export class Mapping {
  private resolved = new Map<string, ResolvedField>();

  private constructor(private readonly definition: JsonObject) {
    this.resolve(definition.properties as JsonObject, '');
  }

  /** The mapping of a `PUT /<index>` body (`mappings`), validated. */
  static parse(json: Json | undefined): Mapping {
    const definition = json === undefined ? {} : json;
    if (!isObject(definition)) throw mappingError('Failed to parse mapping: the mappings must be an object');
    const unknown = Object.keys(definition).filter((key) => !['dynamic', 'properties', '_meta'].includes(key));
    if (unknown.length)
      throw mappingError(
        `Root mapping definition has unsupported parameters:  [${unknown.join(', ')}] (the local search engine supports dynamic, properties and _meta)`,
      );
    const normalized: JsonObject = { ...definition, properties: checkProperties(definition.properties ?? {}, '') };
    if (definition.dynamic !== undefined) normalized.dynamic = checkDynamic(definition.dynamic, '_doc');
    return new Mapping(normalized);
  }

  toJSON(): JsonObject {
    return this.definition;
  }

  field(path: string): ResolvedField | undefined {
    return this.resolved.get(path);
  }

  fields(): ResolvedField[] {
    return [...this.resolved.values()];
  }

  /** The mapping entry (object or field) at a `_source` path, and the `dynamic` setting that governs its children. */
  entryAt(path: string): { entry?: JsonObject; dynamic: string } {
    let properties = this.definition.properties as JsonObject;
    let dynamic = String(this.definition.dynamic ?? 'true');
    let entry: JsonObject | undefined;
    for (const part of path.split('.')) {
      entry = properties?.[part] as JsonObject | undefined;
      if (!entry) return { dynamic };
      if (entry.dynamic !== undefined) dynamic = String(entry.dynamic);
      properties = entry.properties as JsonObject;
    }
    return { entry, dynamic };
  }

  /** A copy with a field added at `path` (dynamic mapping). */
  withField(path: string, entry: JsonObject): Mapping {
    const definition = structuredClone(this.definition);
    const parts = path.split('.');
    let properties = definition.properties as JsonObject;
    for (const part of parts.slice(0, -1))
      properties = ((properties[part] as JsonObject).properties ??= {}) as JsonObject;
    properties[parts.at(-1)!] = entry;
    return new Mapping(definition);
  }

  private resolve(properties: JsonObject, prefix: string): void {
    for (const [name, value] of Object.entries(properties ?? {})) {
      const entry = value as JsonObject;
      const path = prefix + name;
      const type = String(entry.type ?? 'object') as FieldType;
      if (type === 'object') {
        this.resolve((entry.properties ?? {}) as JsonObject, `${path}.`);
        continue;
      }
      this.resolved.set(path, resolvedField(path, path, type, entry));
      for (const [sub, subEntry] of Object.entries((entry.fields ?? {}) as JsonObject)) {
        const subField = subEntry as JsonObject;
        this.resolved.set(
          `${path}.${sub}`,
          resolvedField(`${path}.${sub}`, path, String(subField.type) as FieldType, subField),
        );
      }
    }
  }
}

function resolvedField(path: string, sourcePath: string, type: FieldType, entry: JsonObject): ResolvedField {
  const analyzer = String(
    entry.analyzer ?? (type === 'completion' ? 'simple' : type === 'text' ? 'standard' : 'keyword'),
  );
  const field: ResolvedField = {
    path,
    sourcePath,
    type: type as ResolvedField['type'],
    analyzer,
    searchAnalyzer: String(entry.search_analyzer ?? analyzer),
  };
  if (typeof entry.ignore_above === 'number') field.ignoreAbove = entry.ignore_above;
  return field;
}

function checkDynamic(value: Json, where: string): string {
  const dynamic = String(value);
  if (!DYNAMIC.includes(dynamic))
    throw mappingError(`[dynamic] on [${where}] must be one of strict, true, false but was [${dynamic}]`);
  return dynamic;
}

function checkProperties(properties: Json, prefix: string): JsonObject {
  if (!isObject(properties)) throw mappingError(`[properties] of [${prefix || '_doc'}] must be an object`);
  const checked: JsonObject = {};
  for (const [name, entry] of Object.entries(properties)) {
    if (!name || name.startsWith('.') || name.endsWith('.') || name.includes('..'))
      throw mappingError(`field name cannot be empty or contain empty path segments: [${prefix}${name}]`);
    checked[name] = checkField(`${prefix}${name}`, entry, false);
  }
  return checked;
}

function checkField(path: string, entry: Json, isSubField: boolean): JsonObject {
  if (!isObject(entry))
    throw mappingError(`Expected map for property [fields] on field [${path}] but got a ${typeof entry}`);
  const type = String(entry.type ?? (entry.properties !== undefined ? 'object' : ''));
  if (!type) throw mappingError(`No type specified for field [${path}]`);
  const allowed = PARAMETERS[type];
  if (!allowed || (isSubField && type === 'object'))
    throw mappingError(
      `No handler for type [${type}] declared on field [${path}] (the local search engine supports ${Object.keys(PARAMETERS).join(', ')})`,
    );
  const unknown = Object.keys(entry).find((key) => !allowed.includes(key));
  if (unknown)
    throw mappingError(
      `unknown parameter [${unknown}] on mapper [${path}] of type [${type}] (the local search engine supports ${allowed.join(', ')})`,
    );
  for (const key of ['analyzer', 'search_analyzer']) {
    if (entry[key] !== undefined && !isAnalyzer(String(entry[key])))
      throw mappingError(
        `analyzer [${String(entry[key])}] has not been configured in mappings (the local search engine knows standard, english, simple, whitespace, keyword)`,
      );
  }
  if (entry.format !== undefined && !DATE_FORMATS.includes(String(entry.format)))
    throw mappingError(
      `date format [${String(entry.format)}] on field [${path}] is not supported by the local search engine (supported: ${DATE_FORMATS.join(', ')})`,
    );
  if (
    entry.ignore_above !== undefined &&
    !(Number.isInteger(entry.ignore_above) && (entry.ignore_above as number) >= 0)
  )
    throw mappingError(`[ignore_above] on [${path}] must be a non-negative integer`);
  const checked: JsonObject = { ...entry };
  if (type === 'object') {
    checked.properties = checkProperties(entry.properties ?? {}, `${path}.`);
    if (entry.dynamic !== undefined) checked.dynamic = checkDynamic(entry.dynamic, path);
  }
  if (entry.fields !== undefined) {
    if (isSubField || !isObject(entry.fields))
      throw mappingError(`[fields] of [${path}] must be an object of sub-fields`);
    checked.fields = Object.fromEntries(
      Object.entries(entry.fields).map(([sub, subEntry]) => [sub, checkField(`${path}.${sub}`, subEntry, true)]),
    );
  }
  return checked;
}
