/**
 * The local HTTP edge: what API Gateway does in AWS. It is built from the same route table, turns each
 * request into an API Gateway REST proxy event (payload 1.0), authenticates Cognito ID tokens as the
 * Cognito authorizer does, and invokes the route's handler module in-process with a Lambda context.
 *
 * Parts: routing.ts, authorizer.ts (Cognito), api-keys.ts (partner routes' API keys), event.ts (the proxy event), errors.ts (refusals), cors.ts (preflights
 * and the CORS headers of the edge's own answers), rate-limits/ (token buckets per client, when turned on).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorBody, type ErrorCode } from '../../../functions/shared/errors';
import type { OriginPattern } from '../../../functions/shared/cors';
import { MAX_BODY_BYTES } from '../../../functions/shared/http';
import type { Route } from '../../routes';
import { dashboardResponse, isDashboardPath } from '../dashboard/serve';
import { docsResponse, isDocsPath } from '../docs/serve';
import { readBody } from '../http/body';
import { localInvoker } from '../lambda/local-invoker';
import { requireApiKey, type ApiKeys } from './api-keys';
import { authorize, type TokenVerifier } from './authorizer';
import { edgeCorsHeaders, preflightHeaders } from './cors';
import { EdgeRefusal } from './errors';
import { proxyEvent } from './event';
import { clientOf } from './rate-limits/client-of';
import type { RateLimiter } from './rate-limits/limiter';
import { compile, matchRoute, methodsAt, pathParametersOf, type CompiledRoute } from './routing';

export { claimsForAuthorizer, type TokenVerifier } from './authorizer';

export interface EdgeOptions {
  routes: Route[];
  projectRoot: string;
  verifyToken: TokenVerifier;
  /** Browser origins allowed to call the API (functions/shared/cors.ts); none by default. */
  corsAllowedOrigins?: readonly OriginPattern[];
  /** Extra non-API pages served beside the API (e.g. the analysts' dashboard). */
  pages?: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;
  /** The partners' API keys, which partner routes require (./api-keys.ts); none unless given. */
  apiKeys?: ApiKeys;
  /** Rate limits by client class (./rate-limits); none unless given. */
  rateLimiter?: RateLimiter;
  onRequest?: (entry: { method: string; path: string; status: number; ms: number; route?: string }) => void;
}

type Invoker = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function createEdge(options: EdgeOptions): Server {
  const compiled = options.routes.map(compile);
  // API Gateway gives up on an integration after 29 s; the function's context says so too.
  const invokers = new Map(
    options.routes.map((route) => [
      route.id,
      localInvoker<APIGatewayProxyEvent, APIGatewayProxyResult>(options.projectRoot, route, 29_000),
    ]),
  );

  // Long hostile URLs still reach validation (a 400 in the contract shape, with the request id echoed)
  // instead of Node's bare 431 at its 16 KiB default.
  // handleRequest answers its own failures (a 500 in the contract shape at worst): nothing is left to await.
  const server = createServer(
    { maxHeaderSize: 256 * 1024 },
    (req, res) => void handleRequest(req, res, options, compiled, invokers),
  );
  server.on('clientError', answerClientError);
  return server;
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: EdgeOptions,
  compiled: CompiledRoute[],
  invokers: Map<string, Invoker>,
) {
  const started = performance.now();
  const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || randomUUID();
  let matchedRoute: string | undefined;
  const send = (status: number, headers: Record<string, string | number | boolean>, body: string | Buffer) => {
    res.writeHead(status, { 'x-request-id': requestId, ...headers });
    res.end(body);
    options.onRequest?.({
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      ms: performance.now() - started,
      route: matchedRoute,
    });
  };
  const allowedOrigins = options.corsAllowedOrigins ?? [];
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  // The edge's own refusals carry CORS headers, as API Gateway's gateway responses do.
  const fail = (status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}) =>
    send(
      status,
      { 'content-type': 'application/json', ...edgeCorsHeaders(allowedOrigins, origin), ...extra },
      JSON.stringify(errorBody(code, message)),
    );

  try {
    const url = new URL(req.url ?? '/', 'http://local');
    const page = options.pages?.[url.pathname];
    if (page && req.method === 'GET') return void (await page(req, res));
    // The analysts' dashboard: static files only, beside the API on the same origin.
    if (isDashboardPath(url.pathname)) {
      const { status, headers, body } = await dashboardResponse(req.method ?? 'GET', url.pathname);
      return send(status, headers, body);
    }
    // The interactive API docs (Swagger UI over /v1/openapi.json), from node_modules.
    if (isDocsPath(url.pathname)) {
      const { status, headers, body } = await docsResponse(req.method ?? 'GET', url.pathname);
      return send(status, headers, body);
    }
    if (req.method === 'OPTIONS') {
      const methods = methodsAt(compiled, url);
      if (methods.length === 0) throw new EdgeRefusal(404, 'NOT_FOUND', `No route for ${url.pathname}`);
      return send(204, preflightHeaders(allowedOrigins, origin, methods), '');
    }
    const match = matchRoute(compiled, req.method, url);
    const { route } = match;
    matchedRoute = route.id;
    const pathParameters = pathParametersOf(match, url);
    // A partner route's key first, as API Gateway checks it before the usage plan's throttle: a key that is no
    // partner's is refused before it is counted as one.
    const apiKeys = options.apiKeys ?? new Map<string, string>();
    const apiKey = requireApiKey(route, req.headers, apiKeys);
    // Then the limits, as WAF and API Gateway's throttling come before the authorizer: a throttled request changes nothing.
    if (options.rateLimiter) options.rateLimiter.admit(await clientOf(req, options.verifyToken, apiKeys));
    const authorizer = await authorize(route, req.headers.authorization, options.verifyToken);

    const { body, tooLarge } = await readBody(req, { limit: MAX_BODY_BYTES });
    if (tooLarge) return fail(413, 'PAYLOAD_TOO_LARGE', 'Request body exceeds 1 MiB');

    const event = proxyEvent(req, { match, url, pathParameters, authorizer, apiKey, body, requestId });
    const result = await invokers.get(route.id)!(event);
    const responseHeaders: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
    send(
      result.statusCode,
      responseHeaders,
      result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('binary') : result.body,
    );
  } catch (error) {
    if (error instanceof EdgeRefusal) return fail(error.status, error.code, error.message, error.headers);
    // Only a fault of the edge itself lands here: handlers map their own errors.
    console.error('edge error', error);
    if (!res.headersSent) fail(500, 'INTERNAL', 'Internal error');
  }
}

// Node answers requests it cannot parse (URL or headers over its limit, malformed HTTP) on its own,
// with an empty body; answer them in the contract's shape instead.
function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) {
  if (!socket.writable) return socket.destroy();
  // The headers were never parsed; the client's request id is still in the raw bytes Node read.
  const sentId = /\r\nx-request-id:[ \t]*([\x21-\x7e]{1,200})\r\n/i.exec(
    error.rawPacket?.toString('latin1') ?? '',
  )?.[1];
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify(
    errorBody('VALIDATION_ERROR', tooLarge ? 'The URL or headers are too large' : 'The request is not valid HTTP'),
  );
  socket.end(
    // 400 rather than Node's 431: the contract's error codes map to its own statuses.
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n` +
      `x-request-id: ${sentId ?? randomUUID()}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
