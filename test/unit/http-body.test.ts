/**
 * The local servers' one body reader (lib/local/http/body.ts), on a real HTTP server: a body within the limit
 * comes whole; an oversize one is refused at once yet still drained, so the client reads the answer; past the
 * drain cap the connection is cut.
 */
import http, { type IncomingMessage, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody, type RequestBody } from '@ecicomm/local-platform/http/body';

const LIMIT = 1024;

/** What the server saw of each request: the reader's result, and whether the request was read to its end. */
const seen: { read: RequestBody; request: IncomingMessage }[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    void readBody(req, { limit: LIMIT }).then((read) => {
      seen.push({ read, request: req });
      const text = read.tooLarge ? 'too large' : `${read.body.length}`;
      res.writeHead(read.tooLarge ? 413 : 200, { 'content-type': 'text/plain', 'content-length': text.length });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Post {
  /** Bytes the body has (and a Content-Length declares, unless chunked). */
  size: number;
  chunked?: boolean;
  /** Bytes actually written before waiting for the answer; all of them by default. */
  write?: number;
}

/** A POST over its own connection; resolves with the answer, or with the transport error when there is none. */
function post({ size, chunked = false, write = size }: Post): Promise<{ status: number; text: string } | Error> {
  return new Promise((resolve) => {
    const headers = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(size) };
    let answered = false;
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    request.on('error', (e) => {
      if (!answered) resolve(e);
    });
    request.flushHeaders();
    const piece = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < write) {
        const n = Math.min(piece.length, write - sent);
        sent += n;
        if (!request.write(piece.subarray(0, n))) return void request.once('drain', pump);
      }
      if (write === size) request.end();
    };
    pump();
  });
}

/** Writes `bytes` on one raw connection, all at once, and reads everything the server sends until it closes. */
function exchange(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

describe('readBody', () => {
  it('gives a body of exactly the limit whole, declared or chunked', async () => {
    expect(await post({ size: LIMIT })).toEqual({ status: 200, text: String(LIMIT) });
    expect(await post({ size: LIMIT, chunked: true })).toEqual({ status: 200, text: String(LIMIT) });
    expect(seen.at(-1)!.read.body).toEqual(Buffer.alloc(LIMIT, 'a'));
  });

  it('refuses a declared oversize body before any of it is sent', async () => {
    expect(await post({ size: LIMIT + 1, write: 0 })).toEqual({ status: 413, text: 'too large' });
    expect(seen.at(-1)!.read).toEqual({ body: Buffer.alloc(0), tooLarge: true });
  });

  it('drains an oversize body it refused: a client that writes all of it before reading gets the 413, and the connection goes on', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'a');
    const chunked = Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]);
    for (const [framing, body] of [
      ['content-length', big],
      ['chunked', chunked],
    ] as const) {
      const length = framing === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${big.length}`;
      const oversize = Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nhost: local\r\n${length}\r\n\r\n`), body]);
      const next = Buffer.from(
        'POST / HTTP/1.1\r\nhost: local\r\ncontent-length: 10\r\nconnection: close\r\n\r\n0123456789',
      );
      const answers = await exchange(Buffer.concat([oversize, next]));
      expect(answers.match(/HTTP\/1\.1 \d+/g), framing).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
      expect(answers.endsWith('\r\n\r\n10'), framing).toBe(true);
    }
  });

  it('cuts the connection of a body past the drain cap (32 MiB) instead of reading it forever', async () => {
    const before = seen.length;
    await post({ size: 40 * 1024 * 1024, chunked: true });
    const { request } = seen[before]!;
    await new Promise<void>((resolve) =>
      request.socket.destroyed ? resolve() : request.socket.once('close', () => resolve()),
    );
    expect(request.complete).toBe(false);
  });
});
