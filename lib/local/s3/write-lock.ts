/**
 * s3rver's filesystem store removes a key's directories once they are empty after a DELETE, while a PUT of another
 * key in the same directory may have just created them and not yet opened its file: the PUT then fails with
 * ENOENT, answered as a 500 InternalError (seen with two image uploads to one product in flight). S3 has no such
 * race, so the local one must not either: requests that create or delete objects take turns per bucket, each
 * holding its bucket until its answer is sent. Reads never wait.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

const WRITES = new Set(['PUT', 'POST', 'DELETE']);

const bucketOf = (url: string | undefined) => (url ?? '/').split('?')[0].split('/')[1] ?? '';

export function oneWriteAtATimePerBucket(listener: RequestListener): RequestListener {
  const tails = new Map<string, Promise<void>>();
  return (request, response) => {
    if (!WRITES.has(request.method ?? '')) return listener(request, response);
    const bucket = bucketOf(request.url);
    const previous = tails.get(bucket) ?? Promise.resolve();
    const done = new Promise<void>((resolve) => response.once('close', () => resolve()));
    const tail = previous.then(() => done);
    tails.set(bucket, tail);
    void tail.then(() => {
      if (tails.get(bucket) === tail) tails.delete(bucket);
    });
    void previous.then(() => listener(request, response));
  };
}
