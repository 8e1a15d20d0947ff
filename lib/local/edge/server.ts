/**
 * The local HTTP edge: what API Gateway does in AWS. It is built from the same route table, turns each
 * request into an API Gateway REST proxy event (payload 1.0), authenticates Cognito ID tokens as the
 * Cognito authorizer does, and invokes the route's handler module in-process with a Lambda context.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorBody, type ErrorCode } from '../../functions/shared/errors';
import { MAX_BODY_BYTES } from '../../functions/shared/http';
import type { Route } from '../routes';
import { dashboardResponse, isDashboardPath } from './dashboard/serve';
import { readBody } from './http/body';
import { localInvoker } from './lambda/context';

/** Verifies a bearer ID token and returns its claims, or undefined when it is missing or invalid. */
export type TokenVerifier = (token: string) => Promise<Record<string, unknown> | undefined>;

export interface EdgeOptions {
  routes: Route[];
  projectRoot: string;
  verifyToken: TokenVerifier;
  /** Extra non-API pages served beside the API (e.g. the analysts' dashboard). */
  pages?: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;
  onRequest?: (entry: { method: string; path: string; status: number; ms: number; route?: string }) => void;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  params: string[];
}

const compile = (route: Route): CompiledRoute => {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), params };
};

/** API Gateway passes claims to the function as strings; lists become "a,b". */
export const claimsForAuthorizer = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  );

export function createEdge(options: EdgeOptions): Server {
  const compiled = options.routes.map(compile);
  // API Gateway gives up on an integration after 29 s; the function's context says so too.
  const invokers = new Map(options.routes.map((route) => [route.id, localInvoker<APIGatewayProxyEvent, APIGatewayProxyResult>(options.projectRoot, route, 29_000)]));

  // Long hostile URLs still reach validation (a 400 in the contract shape, with the request id echoed)
  // instead of Node's bare 431 at its 16 KiB default.
  const server = createServer({ maxHeaderSize: 256 * 1024 }, async (req, res) => {
    const started = performance.now();
    const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || randomUUID();
    let matchedRoute: string | undefined;
    const send = (status: number, headers: Record<string, string | number | boolean>, body: string | Buffer) => {
      res.writeHead(status, { 'x-request-id': requestId, ...headers });
      res.end(body);
      options.onRequest?.({ method: req.method ?? '', path: req.url ?? '', status, ms: performance.now() - started, route: matchedRoute });
    };
    const fail = (status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}) =>
      send(status, { 'content-type': 'application/json', ...extra }, JSON.stringify(errorBody(code, message)));

    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const page = options.pages?.[url.pathname];
      if (page && req.method === 'GET') return void (await page(req, res));
      // The analysts' dashboard: static files only, beside the API on the same origin.
      if (isDashboardPath(url.pathname)) {
        const { status, headers, body } = await dashboardResponse(req.method ?? 'GET', url.pathname);
        return send(status, headers, body);
      }

      let pathname: string;
      try {
        pathname = decodeURI(url.pathname);
      } catch {
        return fail(400, 'VALIDATION_ERROR', 'The URL is not validly percent-encoded');
      }
      const candidates = compiled.filter((c) => c.pattern.test(url.pathname));
      const match = candidates.find((c) => c.route.method === req.method);
      if (!match) return fail(404, 'NOT_FOUND', `No route for ${req.method} ${pathname}`);
      const { route } = match;
      matchedRoute = route.id;

      const pathParameters: Record<string, string> = {};
      const values = match.pattern.exec(url.pathname)!.slice(1);
      try {
        match.params.forEach((name, i) => (pathParameters[name] = decodeURIComponent(values[i]!)));
      } catch {
        return fail(400, 'VALIDATION_ERROR', 'A path parameter is not validly percent-encoded');
      }

      let authorizer: { claims: Record<string, string> } | undefined;
      const header = req.headers.authorization;
      // Optional-auth routes (carts) serve anonymous shoppers, but a token that is sent must be valid.
      if (route.auth.kind !== 'none' && (route.auth.kind !== 'optional' || header !== undefined)) {
        const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
        const claims = token ? await options.verifyToken(token) : undefined;
        if (!claims) return fail(401, 'UNAUTHORIZED', token ? 'The token is invalid or expired' : 'A bearer token is required');
        authorizer = { claims: claimsForAuthorizer(claims) };
      }

      const { body, tooLarge } = await readBody(req, { limit: MAX_BODY_BYTES });
      if (tooLarge) return fail(413, 'PAYLOAD_TOO_LARGE', 'Request body exceeds 1 MiB');

      const headers: Record<string, string> = {};
      const multiValueHeaders: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        const value = req.rawHeaders[i + 1]!;
        headers[name] = value;
        (multiValueHeaders[name] ??= []).push(value);
      }
      const query: Record<string, string> = {};
      const multiQuery: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) {
        query[k] = v;
        (multiQuery[k] ??= []).push(v);
      }
      const resource = route.path.replace(/^\/v1/, '');
      const stagePath = url.pathname.replace(/^\/v1/, '');
      const event: APIGatewayProxyEvent = {
        resource,
        path: stagePath,
        httpMethod: req.method!,
        headers,
        multiValueHeaders,
        queryStringParameters: Object.keys(query).length ? query : null,
        multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
        pathParameters: match.params.length ? pathParameters : null,
        stageVariables: null,
        body: body.length ? body.toString('utf8') : null,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          authorizer: authorizer ?? null,
          protocol: `HTTP/${req.httpVersion}`,
          httpMethod: req.method!,
          identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? null } as never,
          path: url.pathname,
          stage: 'v1',
          requestId,
          requestTimeEpoch: Date.now(),
          resourceId: route.id,
          resourcePath: resource,
        },
      };
      // The function sees the request id the client sent, or the one the edge made up.
      if (!('x-request-id' in Object.fromEntries(Object.keys(headers).map((h) => [h.toLowerCase(), 1])))) {
        event.headers['x-request-id'] = requestId;
      }
      const result = await invokers.get(route.id)!(event);
      const responseHeaders: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
      send(result.statusCode, responseHeaders, result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('binary') : result.body);
    } catch (error) {
      // Only a fault of the edge itself lands here: handlers map their own errors.
      console.error('edge error', error);
      if (!res.headersSent) fail(500, 'INTERNAL', 'Internal error');
    }
  });

  // Node answers requests it cannot parse (URL or headers over its limit, malformed HTTP) on its own,
  // with an empty body; answer them in the contract's shape instead.
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable) return socket.destroy();
    // The headers were never parsed; the client's request id is still in the raw bytes Node read.
    const sentId = /\r\nx-request-id:[ \t]*([\x21-\x7e]{1,200})\r\n/i.exec(error.rawPacket?.toString('latin1') ?? '')?.[1];
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify(errorBody('VALIDATION_ERROR', tooLarge ? 'The URL or headers are too large' : 'The request is not valid HTTP'));
    socket.end(
      // 400 rather than Node's 431: the contract's error codes map to its own statuses.
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n` +
        `x-request-id: ${sentId ?? randomUUID()}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
