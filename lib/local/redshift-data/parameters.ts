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

/** What the scan skips (quoted text and identifiers, to their end or the SQL's; `--` comments; `::` casts), or a `:name`. */
const NAMED = /'[^']*(?:'|$)|"[^"]*(?:"|$)|--[^\n]*|::|:([A-Za-z0-9_]+)/g;

/** The values by name: a batch's parameters are common to all its statements, so this is built once a request. */
export const parameterValues = (parameters: readonly SqlParameter[]): ReadonlyMap<string, string> =>
  new Map(parameters.map((p) => [p.name, p.value]));

export function toPositional(sql: string, values: ReadonlyMap<string, string>): SqlStatement {
  const positions = new Map<string, number>();
  const params: string[] = [];
  const positional = sql.replace(NAMED, (match: string, name: string | undefined) =>
    name === undefined ? match : `$${positionOf(name, values, positions, params)}`,
  );
  return { sql: positional, params };
}

function positionOf(
  name: string,
  values: ReadonlyMap<string, string>,
  positions: Map<string, number>,
  params: string[],
): number {
  const known = positions.get(name);
  if (known !== undefined) return known;
  const value = values.get(name);
  if (value === undefined)
    throw validation(`The SQL references the parameter :${name}, which the request does not give.`);
  params.push(value);
  positions.set(name, params.length);
  return params.length;
}
