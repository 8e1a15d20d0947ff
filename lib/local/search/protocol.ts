/**
 * OpenSearch's REST protocol as the official client speaks it: a method and a path, URL parameters, a JSON body
 * (`application/json`) or an NDJSON one (`application/x-ndjson`, `_bulk`), JSON answers, errors in OpenSearch's
 * shape (./errors.ts). Only the platform's callers get in: a request must be signed (SigV4, the client's
 * AwsSigv4Signer, service `es`) with the platform's per-run credentials, and a browser's request (an Origin
 * header, or a body of a type a page can send without a CORS preflight) is refused before anything is read —
 * with the AWS front end's `{"message"}` shape, as a domain refuses an unsigned request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserRefusal } from '../guard/browsers';
import { signatureRefusal, type LocalCredentials } from '../guard/sigv4';
import { isObject, type JsonObject } from './dsl';
import { SearchError } from './errors';

const CONTENT_TYPES = [
  'application/json',
  'application/x-ndjson',
  'application/vnd.opensearch+json',
  'application/vnd.opensearch+x-ndjson',
] as const;
/** OpenSearch's http.max_content_length. */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export class Refused extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface EngineRequest {
  method: string;
  path: string;
  segments: string[];
  params: URLSearchParams;
  body: Buffer;
}

/** The request, once it is known to come from a holder of the credentials and not from a browser. */
export async function readRequest(
  req: IncomingMessage,
  credentials: LocalCredentials,
  service: string,
): Promise<EngineRequest> {
  const method = req.method ?? 'GET';
  // A request without a body has no content type to check; Origin is checked on every request.
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const notForBrowsers = browserRefusal(hasBody ? method : 'GET', req.headers, CONTENT_TYPES);
  if (notForBrowsers) throw new Refused(notForBrowsers.status, notForBrowsers.type, notForBrowsers.message);
  const body = await readBody(req);
  const url = req.url ?? '/';
  const unsigned = await signatureRefusal({ method, url, headers: req.headers, body }, { credentials, service });
  if (unsigned) throw new Refused(unsigned.status, unsigned.type, unsigned.message);
  if (req.headers['content-encoding'] && req.headers['content-encoding'] !== 'identity') {
    throw new SearchError(
      400,
      'illegal_argument_exception',
      `Content-Encoding [${req.headers['content-encoding']}] is not supported by the local search engine: send the body uncompressed`,
    );
  }
  const parsed = new URL(url, 'http://local');
  const segments = parsed.pathname
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment));
  return { method, path: parsed.pathname, segments, params: parsed.searchParams, body };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Drained but not kept, so the client reads the error instead of a reset connection.
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  }
  if (size > MAX_REQUEST_BYTES)
    throw new SearchError(
      413,
      'content_too_long_exception',
      `Request body is larger than the ${MAX_REQUEST_BYTES}-byte limit`,
    );
  return Buffer.concat(chunks);
}

/** A JSON object body (an empty body is `{}`); anything else is OpenSearch's 400, never a 500. */
export function jsonBody(request: EngineRequest): JsonObject {
  if (request.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch (e) {
    throw new SearchError(400, 'parse_exception', `Failed to parse the request body as JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new SearchError(400, 'parse_exception', 'request body is required to be a JSON object');
  return parsed;
}

/** The lines of an NDJSON body, each parsed; a malformed line is a 400 naming it, as OpenSearch's bulk parser does. */
export function ndjsonBody(request: EngineRequest): unknown[] {
  const text = request.body.toString('utf8');
  if (!text.trim())
    throw new SearchError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
  if (!text.endsWith('\n'))
    throw new SearchError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
  const lines = text.split('\n').slice(0, -1);
  return lines.map((line, i) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new SearchError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${i + 1}], expected a JSON object but found [${line.slice(0, 80)}]`,
      );
    }
  });
}

export function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** An error as OpenSearch (or, for a refusal, the AWS front end) renders it; a HEAD request gets the status only. */
export function replyError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  req.resume();
  const head = req.method === 'HEAD';
  if (error instanceof Refused) {
    res.setHeader('x-amzn-errortype', error.type);
    return reply(res, error.status, head ? undefined : { message: error.message });
  }
  if (error instanceof SearchError) return reply(res, error.status, head ? undefined : error.body());
  console.error('local search engine: internal error', error);
  reply(
    res,
    500,
    head ? undefined : new SearchError(500, 'exception', 'The local search engine failed; see its log').body(),
  );
}
