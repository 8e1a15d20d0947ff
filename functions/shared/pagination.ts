import { invalid } from './errors';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Cursors are DynamoDB's LastEvaluatedKey, base64url-encoded; opaque to clients. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

const badCursor = () =>
  invalid('Cursor is not valid', [{ path: 'cursor', message: 'Not a cursor this API issued for this query' }]);

/**
 * Decodes a cursor and checks it names exactly the expected key attributes, none empty, and that it
 * belongs to this query: the attributes in `bound` (the partition the query reads) must match, so a
 * cursor from another list or another user never reaches DynamoDB as a start key.
 */
export function decodeCursor(
  cursor: string | undefined,
  keyAttributes: readonly string[],
  bound: Record<string, string> = {},
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const ok =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).length === keyAttributes.length &&
    keyAttributes.every((a) => {
      const value = (key as Record<string, unknown>)[a];
      return typeof value === 'string' && value.length > 0 && value.length <= 256;
    }) &&
    Object.entries(bound).every(([a, value]) => (key as Record<string, string>)[a] === value);
  if (!ok) throw badCursor();
  return key as Record<string, string>;
}

/** DynamoDB refuses a start key outside the query's key condition: that is a bad cursor, not a fault. */
export function isStartKeyRejection(error: unknown): boolean {
  return (
    (error as Error)?.name === 'ValidationException' && /start key|ExclusiveStartKey/i.test((error as Error).message)
  );
}
