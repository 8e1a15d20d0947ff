/** A request to the S3 front as its checks read it: method, the raw path, the decoded query, the headers. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface ReceivedS3Request {
  method: string;
  /** As sent, still percent-encoded: S3 signs it so. */
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
}

export function receivedS3Request(message: IncomingMessage): ReceivedS3Request {
  const url = message.url ?? '/';
  const queryAt = url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1))) {
    const earlier = query[name];
    query[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return {
    method: message.method ?? 'GET',
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    query,
    headers: message.headers,
  };
}
