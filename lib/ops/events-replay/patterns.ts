/**
 * The conjunction of two EventBridge event patterns, as one pattern: what a replay's temporary rule needs (a
 * consumer's rule AND the operator's --pattern AND `replay-name`), since a rule has one pattern and EventBridge has
 * no `$and`. Each side is first spread into its `$or`-free alternatives; two alternatives join field by field:
 * a field only one names is kept, nested objects join recursively, and two lists of values on one of the envelope's
 * single-valued fields (source, detail-type…) keep the values both allow — plain values against operators (prefix,
 * anything-but…) judged one by one by `judge` (EventBridge's TestEventPattern, in the replay). Anything else is
 * refused by name (`InexpressiblePattern`), never approximated: two operator lists have no intersection a list can
 * state, and a field of `detail` or `resources` may hold a list, which matches a pattern when any element does —
 * `items.productId: ["a"]` and `["b"]` both match an order of a and b, though no value is in both lists.
 */

export type EventPattern = { [field: string]: unknown };

/** Two patterns on the same field whose conjunction no event pattern can state. */
export class InexpressiblePattern extends Error {
  constructor(
    readonly field: string,
    why = 'with operators',
  ) {
    super(`both patterns filter ${field} ${why}, and no event pattern states both at once`);
    this.name = 'InexpressiblePattern';
  }
}

/** The envelope's fields that hold one value, never a list: the only ones two value lists can be intersected on. */
const SINGLE_VALUED = new Set(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'replay-name']);

/** Whether a field (`detail.total`) holding `value` matches that field's list of matchers. */
export type ValueJudge = (field: string, value: unknown, matchers: unknown[]) => Promise<boolean>;

const NEVER = Symbol('never');
type Joined = EventPattern | typeof NEVER;

const isObject = (v: unknown): v is EventPattern => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPlainValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isExists = (list: unknown[], exists: boolean) =>
  list.length === 1 && isObject(list[0]) && Object.keys(list[0]).length === 1 && list[0].exists === exists;

/** The values both leaf lists allow; NEVER when none; throws when operators make it inexpressible. */
async function intersectValues(
  a: unknown[],
  b: unknown[],
  field: string,
  judge?: ValueJudge,
): Promise<unknown[] | typeof NEVER> {
  const key = (v: unknown) => JSON.stringify(v);
  if (key([...a].map(key).sort()) === key([...b].map(key).sort())) return a;
  if (isExists(a, true) && b.every(isPlainValue)) return b;
  if (isExists(b, true) && a.every(isPlainValue)) return a;
  // A field that must be absent and a field that must hold a value: no event has both.
  if ((isExists(a, false) && b.every(isPlainValue)) || (isExists(b, false) && a.every(isPlainValue))) return NEVER;
  if (!SINGLE_VALUED.has(field)) throw new InexpressiblePattern(field, 'differently, and it may hold a list');
  const [aPlain, bPlain] = [a.every(isPlainValue), b.every(isPlainValue)];
  let both: unknown[];
  if (aPlain && bPlain) {
    const allowed = new Set(b.map(key));
    both = a.filter((v) => allowed.has(key(v)));
  } else if (judge && (aPlain || bPlain)) {
    const [values, matchers] = aPlain ? [a, b] : [b, a];
    both = [];
    for (const value of values) if (await judge(field, value, matchers)) both.push(value);
  } else throw new InexpressiblePattern(field);
  return both.length > 0 ? both : NEVER;
}

/** Two `$or`-free patterns joined field by field. */
async function join(a: EventPattern, b: EventPattern, judge?: ValueJudge, path = ''): Promise<Joined> {
  const joined: EventPattern = { ...a };
  for (const [field, value] of Object.entries(b)) {
    const at = path ? `${path}.${field}` : field;
    const mine = joined[field];
    if (mine === undefined) joined[field] = value;
    else if (isObject(mine) && isObject(value)) {
      const inner = await join(mine, value, judge, at);
      if (inner === NEVER) return NEVER;
      joined[field] = inner;
    } else if (Array.isArray(mine) && Array.isArray(value)) {
      const values = await intersectValues(mine, value, at, judge);
      if (values === NEVER) return NEVER;
      joined[field] = values;
    } else throw new InexpressiblePattern(at);
  }
  return joined;
}

/** Every alternative of `sofar` joined with every one of `options`, those no event can match left out. */
async function product(sofar: EventPattern[], options: EventPattern[], judge?: ValueJudge): Promise<EventPattern[]> {
  const joined: EventPattern[] = [];
  for (const a of sofar)
    for (const b of options) {
      const both = await join(a, b, judge);
      if (both !== NEVER) joined.push(both);
    }
  return joined;
}

/** A pattern as the `$or`-free patterns it is the union of (an `$or` at any depth is lifted to the top). */
export async function alternativesOf(pattern: EventPattern, judge?: ValueJudge): Promise<EventPattern[]> {
  let alternatives: EventPattern[] = [{}];
  for (const [field, value] of Object.entries(pattern)) {
    let options: EventPattern[];
    if (field === '$or') {
      options = [];
      for (const alternative of value as EventPattern[]) options.push(...(await alternativesOf(alternative, judge)));
    } else if (isObject(value)) options = (await alternativesOf(value, judge)).map((inner) => ({ [field]: inner }));
    else options = [{ [field]: value }];
    alternatives = await product(alternatives, options, judge);
  }
  return alternatives;
}

/** One pattern matching exactly the events every given pattern matches; undefined when no event can. */
export async function conjoinPatterns(patterns: EventPattern[], judge?: ValueJudge): Promise<EventPattern | undefined> {
  let alternatives: EventPattern[] = [{}];
  for (const pattern of patterns)
    alternatives = await product(alternatives, await alternativesOf(pattern, judge), judge);
  const distinct = [...new Map(alternatives.map((p) => [JSON.stringify(p), p])).values()];
  if (distinct.length === 0) return undefined;
  return distinct.length === 1 ? distinct[0] : { $or: distinct };
}
