/**
 * Whether an event matches a compiled pattern, with EventBridge's semantics: every field of a pattern object must
 * match, and one alternative of each `$or`; a leaf matches when any of its matchers accepts the event's value, or
 * any element when the value is an array; a nested pattern matches an object, or any element of an array of
 * objects (all its fields within that one element). A missing field matches only `{"exists": false}`; so does a
 * field that holds an object, since matching only reaches leaves.
 */
import type { CompiledPattern, ValueMatcher } from './types';

type Leaf = string | number | boolean | null;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  const object = isObject(event) ? event : {};
  for (const [key, field] of pattern.fields) {
    const ok = Array.isArray(field) ? matchesLeaf(field, object[key]) : matchesNested(field, object[key]);
    if (!ok) return false;
  }
  return pattern.anyOf.every((alternatives) => alternatives.some((alternative) => matchesPattern(alternative, object)));
}

function matchesNested(pattern: CompiledPattern, value: unknown): boolean {
  if (Array.isArray(value)) {
    const objects = value.filter(isObject);
    return objects.length > 0
      ? objects.some((element) => matchesPattern(pattern, element))
      : matchesPattern(pattern, {});
  }
  return matchesPattern(pattern, value);
}

function matchesLeaf(matchers: ValueMatcher[], value: unknown): boolean {
  const leaves = leavesOf(value);
  if (leaves.length === 0) return matchers.some((m) => m.kind === 'exists' && !m.exists);
  return leaves.some((leaf) => matchers.some((matcher) => matchesValue(matcher, leaf)));
}

/** The leaf values a field holds: itself, or an array's scalar elements; none when absent or an object. */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.filter((v): v is Leaf => !isObject(v) && !Array.isArray(v));
  return [value as Leaf];
}

function matchesValue(matcher: ValueMatcher, value: Leaf): boolean {
  switch (matcher.kind) {
    case 'exactly':
      return value === matcher.value;
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const text = matcher.ignoreCase ? value.toLowerCase() : value;
      return matcher.kind === 'prefix' ? text.startsWith(matcher.value) : text.endsWith(matcher.value);
    }
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === matcher.value;
    case 'wildcard':
      return typeof value === 'string' && matcher.regex.test(value);
    case 'numeric':
      return typeof value === 'number' && inRange(matcher, value);
    case 'exists':
      return matcher.exists;
    case 'cidr':
      return typeof value === 'string' && matcher.contains(value);
    case 'anything-but':
      return (
        (typeof value === 'string' || typeof value === 'number') && !matcher.except.some((m) => matchesValue(m, value))
      );
  }
}

function inRange(matcher: Extract<ValueMatcher, { kind: 'numeric' }>, value: number): boolean {
  if (matcher.equals !== undefined) return value === matcher.equals;
  const { lower, upper } = matcher;
  if (lower && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}
