/**
 * The AWS JSON protocol (1.0 or 1.1) as the SDK v3 clients speak it, for the emulators that answer only the
 * platform's callers (Step Functions, EventBridge): `POST /`, `X-Amz-Target: <Prefix>.<Action>`, a JSON object as
 * the body; errors as `{__type, message}` with the code also in `x-amzn-ErrorType`. A request must be signed (SigV4)
 * with the platform's per-run credentials for the service's signing name, and a browser's request (an Origin header,
 * or a content type a page can send without a CORS preflight) is refused before anything is read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { browserRefusal } from '../guard/browsers';
import type { Refusal } from '../guard/refusal';
import { signatureRefusal, type LocalCredentials } from '../guard/sigv4';
import { readBody } from './body';

export interface AwsJsonService {
  /** For logs: `local Step Functions`. */
  title: string;
  /** The SigV4 signing name: `states`, `events`. */
  signingName: string;
  jsonVersion: '1.0' | '1.1';
  /** `AWSStepFunctions`, `AWSEvents`. */
  targetPrefix: string;
  maxRequestBytes: number;
}

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

export type AwsJsonActions = Record<string, (body: Record<string, unknown>) => unknown>;

export function awsJsonProtocol(service: AwsJsonService) {
  const contentType = `application/x-amz-json-${service.jsonVersion}`;
  const prefix = `${service.targetPrefix}.`;

  /** The action a request asks for and its input, once it is known to come from a holder of the credentials. */
  async function readRequest(req: IncomingMessage, credentials: LocalCredentials): Promise<ApiRequest> {
    const method = req.method ?? 'GET';
    const notForBrowsers = browserRefusal(method, req.headers, [contentType]);
    if (notForBrowsers) throw ApiError.refusing(notForBrowsers);
    const { body: raw, tooLarge } = await readBody(req, { limit: service.maxRequestBytes });
    if (tooLarge)
      throw new ApiError('RequestEntityTooLarge', `Requests must be at most ${service.maxRequestBytes} bytes`, 413);
    const unsigned = await signatureRefusal(
      { method, url: req.url ?? '/', headers: req.headers, body: raw },
      { credentials, service: service.signingName },
    );
    if (unsigned) throw ApiError.refusing(unsigned);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (method !== 'POST' || !target.startsWith(prefix))
      throw new ApiError('UnknownOperationException', `Unsupported operation ${target || '(none)'}`);
    return { action: target.slice(prefix.length), body: parseBody(raw) };
  }

  function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': contentType, ...headers });
    res.end(JSON.stringify(body));
  }

  /** An ApiError in the protocol's shape; anything else is the emulator's fault, a 500 with no detail. */
  function replyError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    // A refused request's body is drained unread, so its sender reads the answer rather than a reset.
    req.resume();
    if (error instanceof ApiError)
      return reply(
        res,
        error.status,
        { __type: error.type, message: error.message },
        { 'x-amzn-errortype': error.type },
      );
    console.error(`${service.title}: internal error`, error);
    reply(res, 500, { __type: 'InternalFailure', message: `The ${service.title} emulator failed; see its log` });
  }

  /** A server on 127.0.0.1 answering the actions, each request's answer its action's result. */
  async function listen(port: number, actions: AwsJsonActions, credentials: LocalCredentials): Promise<Server> {
    const server = createServer((req, res) => {
      void (async () => {
        const { action, body } = await readRequest(req, credentials);
        const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
        if (!run) throw new ApiError('UnknownOperationException', `Unsupported operation ${prefix}${action}`);
        reply(res, 200, await run(body));
      })().catch((e: unknown) => replyError(req, res, e));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return server;
  }

  return { readRequest, reply, replyError, listen };
}

function parseBody(raw: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new ApiError('SerializationException', 'Request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError('SerializationException', 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}
