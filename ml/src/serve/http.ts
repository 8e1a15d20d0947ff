/** The plain node:http helpers the model server and the runtime router share. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return resolve('too-large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.once('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** JSON, or a +json type; a missing Content-Type is taken as JSON (the body is still parsed and validated). */
export const isJsonType = (contentType: string | undefined) =>
  contentType === undefined || /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());

export const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

/** Listens on 127.0.0.1 (or `host`); port 0 picks a free one. Resolves with the port and URL. */
export function listenOn(server: Server, port: number, host = '127.0.0.1'): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      resolve({ port: bound, url: `http://${host}:${bound}` });
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A request handler whose failures (faults of the server itself, scoring bugs included) are a logged 500. */
export const guarded =
  (what: string, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
  (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      console.error(`${what} error`, error);
      if (!res.headersSent) send(res, 500, { message: 'Internal error' });
      else res.destroy();
    });
  };
