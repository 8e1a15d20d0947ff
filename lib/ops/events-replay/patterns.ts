/**
 * The conjunction of two EventBridge event patterns, as one pattern: what a replay's temporary rule needs (a
 * consumer's rule AND the operator's --pattern AND `replay-name`), since a rule has one pattern and EventBridge has
 * no `$and`. Each side is first spread into its `$or`-free alternatives; two alternatives join field by field:
 * a field only one names is kept, nested objects join recursively, and two lists of values on the same field keep
 * the values both allow. When both lists use operators (prefix, numeric, anything-but…) their intersection is no
 * list EventBridge can express: that is refused by name (`InexpressiblePattern`), never approximated.
 */

export type EventPattern = { [field: string]: unknown };

/** Two patterns on the same field whose intersection no event pattern can state. */
export class InexpressiblePattern extends Error {
  constructor(readonly field: string) {
    super(`both patterns filter ${field} with operators, and EventBridge cannot express the intersection`);
    this.name = 'InexpressiblePattern';
  }
}

const NEVER = Symbol('never');
type Joined = EventPattern | typeof NEVER;

const isObject = (v: unknown): v is EventPattern => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPlainValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isExists = (list: unknown[], exists: boolean) =>
  list.length === 1 && isObject(list[0]) && Object.keys(list[0]).length === 1 && list[0].exists === exists;

/** The values both leaf lists allow; NEVER when none; throws when operators make it inexpressible. */
function intersectValues(a: unknown[], b: unknown[], field: string): unknown[] | typeof NEVER {
  const key = (v: unknown) => JSON.stringify(v);
  if (key([...a].map(key).sort()) === key([...b].map(key).sort())) return a;
  if (isExists(a, true) && b.every(isPlainValue)) return b;
  if (isExists(b, true) && a.every(isPlainValue)) return a;
  // A field that must be absent and a field that must hold a value: no event has both.
  if ((isExists(a, false) && b.every(isPlainValue)) || (isExists(b, false) && a.every(isPlainValue))) return NEVER;
  if (!a.every(isPlainValue) || !b.every(isPlainValue)) throw new InexpressiblePattern(field);
  const allowed = new Set(b.map(key));
  const both = a.filter((v) => allowed.has(key(v)));
  return both.length > 0 ? both : NEVER;
}

/** Two `$or`-free patterns joined field by field. */
function join(a: EventPattern, b: EventPattern, path = ''): Joined {
  const joined: EventPattern = { ...a };
  for (const [field, value] of Object.entries(b)) {
    const at = path ? `${path}.${field}` : field;
    const mine = joined[field];
    if (mine === undefined) joined[field] = value;
    else if (isObject(mine) && isObject(value)) {
      const inner = join(mine, value, at);
      if (inner === NEVER) return NEVER;
      joined[field] = inner;
    } else if (Array.isArray(mine) && Array.isArray(value)) {
      const values = intersectValues(mine, value, at);
      if (values === NEVER) return NEVER;
      joined[field] = values;
    } else throw new InexpressiblePattern(at);
  }
  return joined;
}

/** A pattern as the `$or`-free patterns it is the union of (an `$or` at any depth is lifted to the top). */
export function alternativesOf(pattern: EventPattern): EventPattern[] {
  let alternatives: EventPattern[] = [{}];
  for (const [field, value] of Object.entries(pattern)) {
    const options =
      field === '$or'
        ? (value as EventPattern[]).flatMap(alternativesOf)
        : isObject(value)
          ? alternativesOf(value).map((inner) => ({ [field]: inner }))
          : [{ [field]: value }];
    alternatives = alternatives.flatMap((sofar) =>
      options.map((option) => join(sofar, option)).filter((j): j is EventPattern => j !== NEVER),
    );
  }
  return alternatives;
}

/** One pattern matching exactly the events every given pattern matches; undefined when no event can. */
export function conjoinPatterns(...patterns: EventPattern[]): EventPattern | undefined {
  let alternatives: EventPattern[] = [{}];
  for (const pattern of patterns) {
    const next = alternativesOf(pattern);
    alternatives = alternatives.flatMap((sofar) =>
      next.map((option) => join(sofar, option)).filter((j): j is EventPattern => j !== NEVER),
    );
  }
  const distinct = [...new Map(alternatives.map((p) => [JSON.stringify(p), p])).values()];
  if (distinct.length === 0) return undefined;
  return distinct.length === 1 ? distinct[0] : { $or: distinct };
}
