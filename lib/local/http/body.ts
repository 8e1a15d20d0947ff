/**
 * Reading a request's body with a size limit, for every local server (the edge and the Lambda, Step Functions
 * and SQS emulators); each answers an oversize body in its own service's error shape.
 */
import type { IncomingMessage } from 'node:http';

/** How much of an oversize body is read and dropped before the connection is cut (at least the limit). */
const MAX_DRAIN_BYTES = 32 * 1024 * 1024;

export interface RequestBody {
  /** The whole body; empty when it is too large. */
  body: Buffer;
  /** The body is over the limit, declared (Content-Length) or as streamed. */
  tooLarge: boolean;
}

/**
 * Reads the body up to `limit` bytes. An oversize body resolves at once (declared or as soon as it is seen),
 * so the caller's 413 goes out without waiting; the rest keeps being read and dropped, up to a cap, because
 * closing a socket the client is still writing to resets it and the client never sees the 413.
 */
export function readBody(req: IncomingMessage, { limit }: { limit: number }): Promise<RequestBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const tooLarge = () => {
      if (!settled) resolve({ body: Buffer.alloc(0), tooLarge: true });
      settled = true;
    };
    if (Number(req.headers['content-length'] ?? 0) > limit) tooLarge();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge();
      if (size > Math.max(MAX_DRAIN_BYTES, limit)) return req.socket.destroy();
      if (!settled) chunks.push(chunk);
    });
    req.once('end', () => {
      if (!settled) resolve({ body: Buffer.concat(chunks), tooLarge: false });
      settled = true;
    });
    req.once('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
  });
}
