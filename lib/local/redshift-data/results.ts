/**
 * A statement's result as GetStatementResult carries it: ColumnMetadata (Redshift's type names) and Records of
 * typed Fields — integers as longValue, floating point as doubleValue, booleans as booleanValue, NUMERIC and every
 * text, date and time type as stringValue, bytes as blobValue, NULL as isNull — as the Data API returns them.
 */
import type { StatementOutcome } from './types';

type FieldKind = 'long' | 'double' | 'boolean' | 'string' | 'blob';

interface PgType {
  typeName: string;
  kind: FieldKind;
  precision: number;
  signed: boolean;
}

/** By Postgres type oid (pg_type), with the name and precision Redshift reports for the type. */
const TYPES: Record<number, PgType> = {
  16: { typeName: 'bool', kind: 'boolean', precision: 1, signed: false },
  17: { typeName: 'bytea', kind: 'blob', precision: 2147483647, signed: false },
  18: { typeName: 'char', kind: 'string', precision: 1, signed: false },
  19: { typeName: 'name', kind: 'string', precision: 64, signed: false },
  20: { typeName: 'int8', kind: 'long', precision: 19, signed: true },
  21: { typeName: 'int2', kind: 'long', precision: 5, signed: true },
  23: { typeName: 'int4', kind: 'long', precision: 10, signed: true },
  25: { typeName: 'text', kind: 'string', precision: 2147483647, signed: false },
  26: { typeName: 'oid', kind: 'long', precision: 10, signed: false },
  700: { typeName: 'float4', kind: 'double', precision: 8, signed: true },
  701: { typeName: 'float8', kind: 'double', precision: 17, signed: true },
  1042: { typeName: 'bpchar', kind: 'string', precision: 2147483647, signed: false },
  1043: { typeName: 'varchar', kind: 'string', precision: 2147483647, signed: false },
  1082: { typeName: 'date', kind: 'string', precision: 13, signed: false },
  1083: { typeName: 'time', kind: 'string', precision: 15, signed: false },
  1114: { typeName: 'timestamp', kind: 'string', precision: 29, signed: false },
  1184: { typeName: 'timestamptz', kind: 'string', precision: 35, signed: false },
  1700: { typeName: 'numeric', kind: 'string', precision: 38, signed: true },
};
const OTHER: PgType = { typeName: 'varchar', kind: 'string', precision: 2147483647, signed: false };
const typeOf = (oid: number) => TYPES[oid] ?? OTHER;

export function columnMetadata(outcome: StatementOutcome): Record<string, unknown>[] {
  return outcome.fields.map((f) => {
    const type = typeOf(f.dataTypeID);
    return {
      isCaseSensitive: type.kind === 'string',
      isCurrency: false,
      isSigned: type.signed,
      label: f.name,
      length: 0,
      name: f.name,
      nullable: 1,
      precision: type.precision,
      scale: 0,
      schemaName: '',
      tableName: '',
      typeName: type.typeName,
    };
  });
}

/** One row's Fields, in the JSON the protocol carries (a blob as base64). */
export function toRecord(row: readonly unknown[], outcome: StatementOutcome): Record<string, unknown>[] {
  return row.map((value, i) => fieldOf(value, typeOf(outcome.fields[i]?.dataTypeID ?? 0).kind));
}

function fieldOf(value: unknown, kind: FieldKind): Record<string, unknown> {
  if (value === null || value === undefined) return { isNull: true };
  switch (kind) {
    case 'long':
      return { longValue: Number(value) };
    case 'double':
      return { doubleValue: Number(value) };
    case 'boolean':
      return { booleanValue: Boolean(value) };
    case 'blob':
      return { blobValue: Buffer.from(value as Uint8Array).toString('base64') };
    default:
      return { stringValue: stringValueOf(value) };
  }
}

/** Text as is, other scalars as String() writes them, anything else (a Date, an array, JSON) as its JSON. */
function stringValueOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return JSON.stringify(value);
  }
}
