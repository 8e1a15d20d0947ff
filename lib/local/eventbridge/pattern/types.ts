/** An event pattern, checked and compiled: a tree of fields whose leaves are lists of value matchers. */

/** Matches one leaf value of the event (a string, number, boolean or null), or its absence. */
export type ValueMatcher =
  | { kind: 'exactly'; value: string | number | boolean | null }
  | { kind: 'prefix' | 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; regex: RegExp }
  | { kind: 'numeric'; lower?: Bound; upper?: Bound; equals?: number }
  | { kind: 'exists'; exists: boolean }
  | { kind: 'cidr'; contains: (address: string) => boolean }
  | { kind: 'anything-but'; except: ValueMatcher[] };

export interface Bound {
  value: number;
  inclusive: boolean;
}

/** A pattern object: every field must match (AND); `$or` holds alternatives, one of which must match. */
export interface CompiledPattern {
  fields: Map<string, CompiledPattern | ValueMatcher[]>;
  anyOf: CompiledPattern[][];
}

/** What AWS answers a bad pattern with (InvalidEventPatternException), with the reason. */
export class InvalidEventPattern extends Error {}
