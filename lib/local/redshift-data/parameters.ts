/**
 * The Data API's named parameters (`:name` in the SQL, `Parameters: [{ name, value }]`) as Postgres' positional
 * ones. Quoted text, quoted identifiers, `--` comments and `::` casts are left alone; a name used twice is one
 * parameter. A name the SQL uses without a value is the caller's error, as on Redshift.
 */
import { validation } from './errors';
import type { SqlStatement } from './types';

export interface SqlParameter {
  name: string;
  value: string;
}

/** Sticky: matches a parameter's name where lastIndex points. */
const NAME = /[A-Za-z0-9_]+/y;

/** The values by name: a batch's parameters are common to all its statements, so this is built once a request. */
export const parameterValues = (parameters: readonly SqlParameter[]): ReadonlyMap<string, string> => new Map(parameters.map((p) => [p.name, p.value]));

export function toPositional(sql: string, values: ReadonlyMap<string, string>): SqlStatement {
  const positions = new Map<string, number>();
  const params: string[] = [];
  let out = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      out += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === ':' && (sql[i + 1] === ':' || sql[i - 1] === ':')) {
      out += ch;
    } else if (ch === ':' && (NAME.lastIndex = i + 1) && NAME.test(sql)) {
      const name = sql.slice(i + 1, NAME.lastIndex);
      out += `$${positionOf(name, values, positions, params)}`;
      i = NAME.lastIndex - 1;
    } else {
      out += ch;
    }
  }
  return { sql: out, params };
}

function positionOf(name: string, values: ReadonlyMap<string, string>, positions: Map<string, number>, params: string[]): number {
  const known = positions.get(name);
  if (known !== undefined) return known;
  const value = values.get(name);
  if (value === undefined) throw validation(`The SQL references the parameter :${name}, which the request does not give.`);
  params.push(value);
  positions.set(name, params.length);
  return params.length;
}
