/**
 * The leaf matchers of an event pattern, compiled from the JSON AWS documents
 * (docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html): exact values, prefix, suffix,
 * equals-ignore-case, wildcard, numeric, exists, cidr and anything-but, each refused as AWS refuses it when malformed.
 */
import { cidrMatcher } from './cidr';
import { InvalidEventPattern, type Bound, type ValueMatcher } from './types';

/** Numeric matching works on values between these, inclusive (AWS's limit). */
const NUMERIC_LIMIT = 5e9;
const OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

const invalid = (message: string): never => {
  throw new InvalidEventPattern(message);
};

const isScalar = (v: unknown): v is string | number | boolean | null =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** `prefix` and `suffix` take a string, or `{"equals-ignore-case": string}`. */
/** The one `[operator, operand]` of an operator object, or undefined when it is not exactly one. */
function soleEntry(operand: unknown): [string, unknown] | undefined {
  if (!operand || typeof operand !== 'object' || Array.isArray(operand)) return undefined;
  const entries = Object.entries(operand as Record<string, unknown>);
  return entries.length === 1 ? entries[0] : undefined;
}

function affix(kind: 'prefix' | 'suffix', operand: unknown): ValueMatcher {
  if (typeof operand === 'string') return { kind, value: operand, ignoreCase: false };
  const [key, value] = soleEntry(operand) ?? [];
  if (key === 'equals-ignore-case' && typeof value === 'string')
    return { kind, value: value.toLowerCase(), ignoreCase: true };
  return invalid(`${kind} match pattern must be a string or {"equals-ignore-case": string}`);
}

/** `*` matches any run of characters, `\*` a star; two wildcards in a row are refused, as AWS does. */
function wildcard(operand: unknown): ValueMatcher {
  if (typeof operand !== 'string') return invalid('wildcard match pattern must be a string');
  if (/(?<!\\)\*\*/.test(operand)) invalid('Consecutive wildcard characters at pos ' + operand.indexOf('**'));
  const source = operand
    .split(/(\\\*|\*)/)
    .map((part) => (part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return { kind: 'wildcard', regex: new RegExp(`^${source}$`, 's') };
}

function numberInRange(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return invalid('Value of numeric operator must be a number');
  if (Math.abs(value) > NUMERIC_LIMIT)
    invalid(`Value must be between -${NUMERIC_LIMIT} and ${NUMERIC_LIMIT}, inclusive`);
  return value;
}

/** `[">", 0, "<=", 5]`: at most one lower and one upper bound, or one `=`. */
function numeric(operand: unknown): ValueMatcher {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4)
    return invalid('Value of numeric must be an array of operator, number pairs (at most two)');
  const matcher: { kind: 'numeric'; lower?: Bound; upper?: Bound; equals?: number } = { kind: 'numeric' };
  const pairs = operand as unknown[];
  for (let i = 0; i < pairs.length; i += 2) {
    const op = pairs[i];
    if (typeof op !== 'string' || !OPERATORS.has(op)) invalid(`Unrecognized numeric range operator: ${String(op)}`);
    const value = numberInRange(pairs[i + 1]);
    if (op === '=') {
      if (operand.length > 2) invalid('"=" cannot be combined with another numeric operator');
      matcher.equals = value;
    } else if ((op as string).startsWith('>')) {
      if (matcher.lower) invalid('Bad numeric range: two lower bounds');
      matcher.lower = { value, inclusive: op === '>=' };
    } else {
      if (matcher.upper) invalid('Bad numeric range: two upper bounds');
      matcher.upper = { value, inclusive: op === '<=' };
    }
  }
  if (matcher.lower && matcher.upper && matcher.lower.value >= matcher.upper.value)
    invalid('Bad numeric range: the lower bound must be below the upper bound');
  return matcher;
}

/** anything-but: a value, a list of strings or of numbers, or one prefix / suffix / equals-ignore-case / wildcard. */
function anythingBut(operand: unknown): ValueMatcher {
  if (typeof operand === 'string' || typeof operand === 'number')
    return { kind: 'anything-but', except: [{ kind: 'exactly', value: operand }] };
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number');
    if (operand.length === 0 || !(allStrings || allNumbers))
      return invalid('Inside anything but list, start|null|boolean is not supported.');
    return { kind: 'anything-but', except: operand.map((value: string | number) => ({ kind: 'exactly', value })) };
  }
  const [key, value] = soleEntry(operand) ?? [];
  if (key === 'prefix' || key === 'suffix') return { kind: 'anything-but', except: [affix(key, value)] };
  if (key === 'equals-ignore-case' || key === 'wildcard') {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (values.length === 0) invalid(`Inside anything-but/${key} list, at least one value is needed`);
    const one = key === 'wildcard' ? wildcard : equalsIgnoreCase;
    return { kind: 'anything-but', except: values.map(one) };
  }
  return invalid('Value of anything-but must be an array or single string/number value.');
}

function equalsIgnoreCase(operand: unknown): ValueMatcher {
  if (typeof operand !== 'string') return invalid('equals-ignore-case match pattern must be a string');
  return { kind: 'equals-ignore-case', value: operand.toLowerCase() };
}

const OPERATOR_COMPILERS: Record<string, (operand: unknown) => ValueMatcher> = {
  prefix: (operand) => affix('prefix', operand),
  suffix: (operand) => affix('suffix', operand),
  'equals-ignore-case': equalsIgnoreCase,
  wildcard,
  numeric,
  'anything-but': anythingBut,
  exists: (operand) =>
    typeof operand === 'boolean'
      ? { kind: 'exists', exists: operand }
      : invalid('exists match pattern must be either true or false.'),
  cidr: (operand) =>
    typeof operand === 'string' ? cidrMatcher(operand) : invalid('cidr match pattern must be a string'),
};

/** One element of a leaf's list: a literal, or an object naming one operator. */
export function compileValueMatcher(element: unknown): ValueMatcher {
  if (isScalar(element)) return { kind: 'exactly', value: element };
  if (Array.isArray(element)) return invalid('Match value must be String, number, true, false, or null');
  const sole = soleEntry(element);
  if (!sole) return invalid('Only one key allowed in match expression');
  const [operator, operand] = sole;
  const compile = OPERATOR_COMPILERS[operator];
  if (!compile) return invalid(`Unrecognized match type ${operator}`);
  return compile(operand);
}
