/**
 * The campaign export's page cursor: opaque to callers, base64url of the artifact version, the segment and the
 * offset of the next customer. Tied to the version because offsets mean nothing in another model's ordering
 * (a retrain reshuffles the segments): a cursor minted by an earlier model is refused, not silently misread;
 * tied to the segment so that a cursor of one segment cannot page through another.
 */
import * as z from 'zod';

const Payload = z.strictObject({ v: z.string().min(1), s: z.string().min(1), o: z.int().min(1) });

/** A cursor the model cannot honour: malformed, from another model version, or from another segment. */
export class CursorError extends Error {
  override name = 'CursorError';
}

export function encodeCursor(version: string, segment: string, offset: number): string {
  return Buffer.from(JSON.stringify({ v: version, s: segment, o: offset })).toString('base64url');
}

/** The offset a cursor points at in `segment` of model `version`; throws CursorError when it is not one of ours. */
export function decodeCursor(cursor: string, version: string, segment: string, size: number): number {
  let payload: z.infer<typeof Payload>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    payload = Payload.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new CursorError('cursor: Malformed cursor: pass back the nextCursor of the previous page unchanged');
  }
  if (payload.v !== version)
    throw new CursorError(
      `cursor: The cursor belongs to model ${payload.v}, not ${version} (the model was retrained): start again without a cursor`,
    );
  if (payload.s !== segment)
    throw new CursorError(`cursor: The cursor belongs to segment ${payload.s}, not ${segment}`);
  if (payload.o > size) throw new CursorError('cursor: The cursor points past the end of the segment');
  return payload.o;
}
