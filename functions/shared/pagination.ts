import { invalid } from './errors';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Cursors are DynamoDB's LastEvaluatedKey, base64url-encoded; opaque to clients. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** Decodes a cursor and checks it names exactly the expected string key attributes. */
export function decodeCursor(cursor: string | undefined, keyAttributes: readonly string[]): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('Cursor is not valid', [{ path: 'cursor', message: 'Not a cursor this API issued' }]);
  }
  const ok =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).length === keyAttributes.length &&
    keyAttributes.every((a) => typeof (key as Record<string, unknown>)[a] === 'string' && ((key as Record<string, string>)[a]).length <= 256);
  if (!ok) throw invalid('Cursor is not valid', [{ path: 'cursor', message: 'Not a cursor this API issued' }]);
  return key as Record<string, string>;
}
