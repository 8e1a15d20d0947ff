/**
 * The AWS JSON 1.1 protocol as @aws-sdk/client-redshift-data speaks it: `POST /`,
 * `X-Amz-Target: RedshiftData.<Action>`, `content-type: application/x-amz-json-1.1`, a JSON object as the body;
 * timestamps as epoch seconds. Only the platform's callers get in: a request must be signed (SigV4, service
 * `redshift-data`) with the platform's per-run credentials, and a browser's request (an Origin header, or a
 * content type a page can send without a CORS preflight) is refused before anything is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserRefusal } from '../guard/browsers';
import { signatureRefusal, type LocalCredentials } from '../guard/sigv4';
import { readBody } from '../http/body';
import { DataApiError, unknownOperation } from './errors';
import type { Json } from './types';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** The Data API takes at most 100 KB of SQL a statement and 40 statements a batch; anything beyond 8 MiB is refused (413). */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** The services this endpoint answers, by their target prefix and signing name. */
export const SERVICES = { RedshiftData: 'redshift-data', RedshiftServerless: 'redshift-serverless' } as const;
export type Service = keyof typeof SERVICES;

export interface DataApiRequest {
  service: Service;
  action: string;
  input: Json;
}

/** The action a request asks for and its input, once it is known to come from a holder of the credentials. */
export async function readRequest(req: IncomingMessage, credentials: LocalCredentials): Promise<DataApiRequest> {
  const method = req.method ?? 'GET';
  const notForBrowsers = browserRefusal(method, req.headers, [CONTENT_TYPE]);
  if (notForBrowsers) throw DataApiError.refusing(notForBrowsers);
  const { body: raw, tooLarge } = await readBody(req, { limit: MAX_REQUEST_BYTES });
  if (tooLarge)
    throw new DataApiError('RequestEntityTooLarge', `Requests must be at most ${MAX_REQUEST_BYTES} bytes`, 413);
  const target = String(req.headers['x-amz-target'] ?? '');
  const [prefix, action = ''] = target.split('.', 2) as [string, string?];
  if (method !== 'POST' || !Object.hasOwn(SERVICES, prefix)) throw unknownOperation(target);
  const service = prefix as Service;
  const unsigned = await signatureRefusal(
    { method, url: req.url ?? '/', headers: req.headers, body: raw },
    { credentials, service: SERVICES[service] },
  );
  if (unsigned) throw DataApiError.refusing(unsigned);
  return { service, action, input: parseInput(raw) };
}

function parseInput(raw: Buffer): Json {
  let input: unknown;
  try {
    input = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new DataApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new DataApiError('SerializationException', 'The request body must be a JSON object.');
  return input as Json;
}

export function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': CONTENT_TYPE, ...headers });
  res.end(JSON.stringify(body));
}

/** A DataApiError in the protocol's shape; anything else is the emulator's fault, a 500 with no detail. */
export function replyError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  // A refused request's body is drained unread, so its sender reads the answer rather than a reset.
  req.resume();
  if (error instanceof DataApiError) return reply(res, error.status, error.body, { 'x-amzn-errortype': error.type });
  console.error('local Redshift Data API: internal error', error);
  reply(
    res,
    500,
    { __type: 'InternalServerException', Message: 'The local Redshift Data API failed; see its log' },
    { 'x-amzn-errortype': 'InternalServerException' },
  );
}
