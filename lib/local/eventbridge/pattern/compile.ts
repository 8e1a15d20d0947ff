/**
 * Checks an event pattern as EventBridge does (PutRule, TestEventPattern, CreateArchive refuse a bad one with
 * InvalidEventPatternException) and compiles it: objects nest, every leaf is a non-empty list of value matchers
 * (./values.ts), and `$or` holds two or more alternative patterns.
 */
import { compileValueMatcher } from './values';
import { InvalidEventPattern, type CompiledPattern, type ValueMatcher } from './types';

/** EventBridge's limit on a pattern's length, in characters. */
export const MAX_PATTERN_LENGTH = 4096;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function compilePattern(text: string): CompiledPattern {
  if (text.length > MAX_PATTERN_LENGTH)
    throw new InvalidEventPattern(`Event pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InvalidEventPattern(`Event pattern is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new InvalidEventPattern('Event pattern must be a JSON object');
  return compileObject(parsed, '');
}

function compileObject(pattern: Record<string, unknown>, path: string): CompiledPattern {
  const entries = Object.entries(pattern);
  if (entries.length === 0) throw new InvalidEventPattern(`Empty objects are not allowed${path ? ` at ${path}` : ''}`);
  const compiled: CompiledPattern = { fields: new Map(), anyOf: [] };
  for (const [key, value] of entries) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') compiled.anyOf.push(compileAlternatives(value, at));
    else compiled.fields.set(key, compileField(value, at));
  }
  return compiled;
}

function compileAlternatives(value: unknown, at: string): CompiledPattern[] {
  if (!Array.isArray(value) || value.length < 2 || !value.every(isObject))
    throw new InvalidEventPattern(`"$or" at ${at} must be an array of at least two objects`);
  return value.map((alternative) => compileObject(alternative, at));
}

function compileField(value: unknown, at: string): CompiledPattern | ValueMatcher[] {
  if (isObject(value)) return compileObject(value, at);
  if (!Array.isArray(value)) throw new InvalidEventPattern(`Match value must be an array or an object, at ${at}`);
  if (value.length === 0) throw new InvalidEventPattern(`Empty arrays are not allowed, at ${at}`);
  return value.map((element) => {
    try {
      return compileValueMatcher(element);
    } catch (e) {
      if (e instanceof InvalidEventPattern) throw new InvalidEventPattern(`${e.message}, at ${at}`);
      throw e;
    }
  });
}
