/** Reading a request's members: each reader checks the member's type and answers SQS's error when it is wrong. */
import { batchError, invalidParameter, missingParameter } from './errors';
import type { Input } from './types';

export const optString = (input: Input, key: string): string | undefined => {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(key, v, 'must be a string');
  return v;
};

export const reqString = (input: Input, key: string): string => {
  const v = optString(input, key);
  if (v === undefined) throw missingParameter(key);
  return v;
};

export const optInt = (input: Input, key: string, min: number, max: number, reason?: string): number | undefined => {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameter(key, v, 'must be an integer');
  if (v < min || v > max) throw invalidParameter(key, v, reason ?? `must be between ${min} and ${max}`);
  return v;
};

export const optStringList = (input: Input, key: string): string[] => {
  const v = input[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw invalidParameter(key, v, 'must be a list of strings');
  return v as string[];
};

export const optStringMap = (input: Input, key: string): Record<string, string> => {
  const v = input[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((s) => typeof s !== 'string')) {
    throw invalidParameter(key, v, 'must be a map of strings');
  }
  return v as Record<string, string>;
};

/** A batch's entries: one to ten, each with a distinct, well-formed Id. */
export const optEntries = (input: Input, key: string): Input[] => {
  const v = input[key];
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
    throw batchError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'object' || e === null || Array.isArray(e)))
    throw invalidParameter(key, v, 'must be a list of entries');
  if (v.length > 10)
    throw batchError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${v.length}.`,
    );
  const ids = new Set<string>();
  for (const entry of v as Input[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id)) {
      throw batchError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw batchError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return v as Input[];
};

/** Drops undefined members, which JSON would drop anyway, so that results read as SQS sends them. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
