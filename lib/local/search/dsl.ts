/** Small readers for the JSON of requests: each names what it expected where, as OpenSearch's parser does. */
import { parsingError } from './errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function expectObject(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw parsingError(`[${where}] expected an object but found ${describe(value)}`);
  return value;
}

export function expectArray(value: unknown, where: string): Json[] {
  if (!Array.isArray(value)) throw parsingError(`[${where}] expected an array but found ${describe(value)}`);
  return value;
}

export function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw parsingError(`[${where}] expected a string but found ${describe(value)}`);
  return value;
}

export function expectNumber(value: unknown, where: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number))
    throw parsingError(`[${where}] expected a number but found ${describe(value)}`);
  return number;
}

export function expectInteger(value: unknown, where: string, min = 0): number {
  const number = expectNumber(value, where);
  if (!Number.isInteger(number) || number < min)
    throw parsingError(`[${where}] expected an integer of at least ${min} but found ${describe(value)}`);
  return number;
}

export function expectBoolean(value: unknown, where: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  if (typeof value !== 'boolean') throw parsingError(`[${where}] expected a boolean but found ${describe(value)}`);
  return value;
}

/** Refuses any key the local engine does not understand, naming it: an ignored option would be a wrong answer. */
export function onlyKeys(value: JsonObject, where: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw parsingError(
        `[${where}] does not support [${key}] on the local search engine (supported: ${allowed.join(', ')})`,
      );
  }
}

/** `{ "<name>": { … } }`: the one key of an object, as queries and aggregations are written. */
export function singleEntry(value: unknown, where: string): [string, Json] {
  const object = expectObject(value, where);
  const keys = Object.keys(object);
  if (keys.length !== 1)
    throw parsingError(
      `[${where}] expected exactly one key but found ${keys.length ? `[${keys.join(', ')}]` : 'none'}`,
    );
  return [keys[0]!, object[keys[0]!]!];
}

export const describe = (value: unknown): string =>
  value === undefined
    ? 'nothing'
    : Array.isArray(value)
      ? 'an array'
      : value === null
        ? 'null'
        : typeof value === 'object'
          ? 'an object'
          : `[${String(value)}]`;
