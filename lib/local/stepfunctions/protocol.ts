/**
 * The AWS JSON 1.0 protocol as @aws-sdk/client-sfn speaks it: `POST /`, `X-Amz-Target: AWSStepFunctions.<Action>`,
 * `content-type: application/x-amz-json-1.0`, a JSON body; errors as `{__type, message}` with the code also in
 * `x-amzn-ErrorType`. Only the platform's callers get in: a request must be signed (SigV4, service `states`)
 * with the platform's per-run credentials, and a browser's request (an Origin header, or a content type a page
 * can send without a CORS preflight) is refused before anything is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserRefusal } from '../guard/browsers';
import type { Refusal } from '../guard/refusal';
import { signatureRefusal, type LocalCredentials } from '../guard/sigv4';
import { readBody } from '../http/body';

const CONTENT_TYPES = ['application/x-amz-json-1.0'] as const;
const TARGET_PREFIX = 'AWSStepFunctions.';
/** Far above Step Functions' own limit on an execution's input (256 KiB); anything larger is refused (413) and not kept. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  static refusing({ status, type, message }: Refusal): ApiError {
    return new ApiError(type, message, status);
  }
}

export interface ApiRequest {
  action: string;
  body: Record<string, unknown>;
}

/** The action a request asks for and its input, once it is known to come from a holder of the credentials. */
export async function readRequest(req: IncomingMessage, credentials: LocalCredentials): Promise<ApiRequest> {
  const method = req.method ?? 'GET';
  const notForBrowsers = browserRefusal(method, req.headers, CONTENT_TYPES);
  if (notForBrowsers) throw ApiError.refusing(notForBrowsers);
  const { body: raw, tooLarge } = await readBody(req, { limit: MAX_REQUEST_BYTES });
  if (tooLarge) throw new ApiError('RequestEntityTooLarge', `Requests must be at most ${MAX_REQUEST_BYTES} bytes`, 413);
  const unsigned = await signatureRefusal(
    { method, url: req.url ?? '/', headers: req.headers, body: raw },
    { credentials, service: 'states' },
  );
  if (unsigned) throw ApiError.refusing(unsigned);
  const target = String(req.headers['x-amz-target'] ?? '');
  if (method !== 'POST' || !target.startsWith(TARGET_PREFIX))
    throw new ApiError('UnknownOperationException', `Unsupported operation ${target || '(none)'}`);
  let body: unknown;
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new ApiError('SerializationException', 'Request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError('SerializationException', 'Request body must be a JSON object');
  return { action: target.slice(TARGET_PREFIX.length), body: body as Record<string, unknown> };
}

export function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
  res.end(JSON.stringify(body));
}

/** An ApiError in the protocol's shape; anything else is the emulator's fault, a 500 with no detail. */
export function replyError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  // A refused request's body is drained unread, so its sender reads the answer rather than a reset.
  req.resume();
  if (error instanceof ApiError)
    return reply(res, error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type });
  console.error('local Step Functions: internal error', error);
  reply(res, 500, { __type: 'InternalFailure', message: 'The local Step Functions emulator failed; see its log' });
}
