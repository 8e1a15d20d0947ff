import middy, { type MiddlewareObj, type Request } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { auditTrail, type AuditTrailOptions } from './audit';
import { CORS_EXPOSED_HEADERS, CORS_ORIGINS_ENV, isOriginAllowed, parseAllowedOrigins } from './cors';
import { DomainError, errorBody, type ErrorCode, type ErrorDetail } from './errors';
import { callerOf } from './auth';
import { flushMetrics, logger } from './observability';
import { annotate, traceInvocation } from './tracing';

export type ApiEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: unknown };
export type ApiResult = APIGatewayProxyResult;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** The contract caps request bodies at 1 MiB, in both substrates. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Validates a value against a schema; a failure becomes a 400 through the error mapper. */
export function parse<T extends z.ZodMiniType>(schema: T, value: unknown): z.infer<T> {
  return schema.parse(value);
}

/** Validates one request header; a failure names the header in its details. */
export function header<T extends z.ZodMiniType>(event: ApiEvent, name: string, schema: T): z.infer<T> {
  const result = schema.safeParse(event.headers?.[name] ?? undefined);
  if (result.success) return result.data;
  const message = result.error.issues[0]?.message ?? 'Is invalid';
  throw new DomainError('VALIDATION_ERROR', `Invalid ${name} header: ${message}`, [
    { path: `headers.${name}`, message },
  ]);
}

export const query = (event: ApiEvent): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) out[k] = v;
  return out;
};

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  /** An invalid_union's issues, one list per option it tried. */
  errors?: ZodLikeIssue[][];
}

/**
 * A value that matched no option of a union is reported by zod at the union's path ("Invalid input"). When one
 * option got into the value (an object option, given an object with a wrong or unknown field), its issues say what
 * is wrong and where — `preferences.notifications.email`, not `preferences.notifications` — so they are reported.
 */
function deepestIssues(issue: ZodLikeIssue): ZodLikeIssue[] {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
  // An option whose only complaint is the value's type at its root got nowhere; any other got in.
  const progress = (issues: ZodLikeIssue[]) =>
    Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));
  const furthest = [...issue.errors].sort((a, b) => progress(b) - progress(a))[0];
  if (progress(furthest) === 0) return [issue];
  return furthest.flatMap(deepestIssues).map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}
const isZodError = (e: unknown): e is { issues: ZodLikeIssue[] } =>
  typeof e === 'object' &&
  e !== null &&
  ['ZodError', '$ZodError'].includes((e as { name?: string }).name ?? '') &&
  Array.isArray((e as { issues?: unknown }).issues);

const httpErrorCodes: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
};

/** The one place where errors become HTTP responses (API.md's error shape). */
export function errorResponse(error: unknown): ApiResult {
  if (error instanceof DomainError)
    return json(
      error.status,
      errorBody(error.code, error.message, error.details),
      error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) },
    );
  if (isZodError(error)) {
    const details: ErrorDetail[] = error.issues.flatMap(deepestIssues).map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    const first = details[0];
    const message = first
      ? `Invalid request: ${first.path ? `${first.path}: ` : ''}${first.message}`
      : 'Invalid request';
    return json(400, errorBody('VALIDATION_ERROR', message, details));
  }
  // middy's parsers throw http-errors style errors (statusCode + expose) for unreadable bodies.
  const statusCode = (error as { statusCode?: number })?.statusCode;
  const code = statusCode ? httpErrorCodes[statusCode] : undefined;
  if (code) {
    const forbiddenKey = (error as Error).message === 'Forbidden key in JSON body';
    const message = forbiddenKey
      ? 'Request body uses a forbidden key (__proto__, constructor or prototype)'
      : code === 'UNSUPPORTED_MEDIA_TYPE'
        ? 'Content-Type must be application/json'
        : code === 'PAYLOAD_TOO_LARGE'
          ? 'Request body exceeds 1 MiB'
          : 'Request body is not valid JSON';
    return json(code === 'VALIDATION_ERROR' ? 400 : statusCode!, errorBody(code, message));
  }
  logger.error('unhandled error', { error: error as Error });
  return json(500, errorBody('INTERNAL', 'Internal error'));
}

const requestId = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => {
  type ApiRequest = Request<ApiEvent, ApiResult, Error, Context>;
  // Any case: `before` runs ahead of the header normalizer, and API Gateway passes names as the client sent them.
  const idOf = (request: ApiRequest) => {
    const headers = request.event.headers ?? {};
    const name = Object.keys(headers).find((k) => k.toLowerCase() === 'x-request-id');
    return (name && headers[name]) || request.context.awsRequestId;
  };
  const stamp = (request: ApiRequest) => {
    if (!request.response) return;
    request.response.headers = { ...request.response.headers, 'x-request-id': idOf(request) };
  };
  return {
    before: (request) => {
      // Keys for this invocation only: injectLambdaContext's resetKeys drops them when it ends, so a warm container's
      // next request never logs under this one's shopper.
      const userId = callerOf(request.event)?.userId;
      logger.appendKeys({ requestId: idOf(request), ...(userId ? { userId } : {}) });
      // The route by method and resource: the same in both substrates (function names are generated in AWS).
      annotate('route', `${request.event.httpMethod} ${request.event.resource}`);
    },
    after: stamp,
    onError: (request) => {
      request.response = errorResponse(request.error);
      stamp(request);
    },
  };
};

const bodyLimit = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
  before: ({ event }) => {
    if (typeof event.body === 'string') {
      const bytes = event.isBase64Encoded ? Math.floor((event.body.length * 3) / 4) : Buffer.byteLength(event.body);
      if (bytes > MAX_BODY_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', 'Request body exceeds 1 MiB');
    }
  },
});

/**
 * Keys that reach an object's prototype machinery. middy's parser refuses `__proto__` and a `constructor`
 * holding a `prototype`; any of them anywhere in a body is refused here, at any depth, because code past the
 * schema trusts plain objects: e.g. the DynamoDB marshaller tells a plain object by its `constructor`, so
 * `{"preferences":{"constructor":"x"}}` got past validation and failed the write with a 500.
 */
const FORBIDDEN_BODY_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first forbidden key in a parsed body, walked without recursion (bodies may nest deeply). */
export function forbiddenKeyPath(body: unknown): string | undefined {
  type Node = { value: unknown; key?: string; parent?: Node };
  const pathOf = (node: Node, key: string) => {
    const parts = [key];
    for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) parts.push(n.key);
    return parts.reverse().join('.');
  };
  const pending: Node[] = [{ value: body }];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.value === null || typeof node.value !== 'object') continue;
    for (const key of Object.keys(node.value)) {
      if (FORBIDDEN_BODY_KEYS.has(key)) return pathOf(node, key);
      pending.push({ value: (node.value as Record<string, unknown>)[key], key, parent: node });
    }
  }
  return undefined;
}

const noForbiddenKeys = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
  before: ({ event }) => {
    const path = forbiddenKeyPath(event.body);
    if (path !== undefined) {
      throw new DomainError(
        'VALIDATION_ERROR',
        `Request body uses a forbidden key at ${path} (__proto__, constructor or prototype)`,
        [{ path, message: 'Is a forbidden key' }],
      );
    }
  },
});

/** Routes without a body schema still refuse a body they would silently ignore. */
const noBody = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
  before: ({ event }) => {
    if (typeof event.body === 'string' && event.body.length > 0) {
      throw new DomainError('VALIDATION_ERROR', 'This route takes no request body');
    }
  },
});

/**
 * CORS on every answer the function gives, errors included (API.md: CORS): the request's origin echoed when
 * it is allowed, with the headers a browser app may read; nothing for other origins. Every answer varies by
 * Origin, so a cache never serves one origin's answer to another. No Access-Control-Allow-Credentials: the
 * API authenticates with bearer tokens in Authorization, never cookies, so browsers need send none.
 * Preflights never reach a function: API Gateway (and the local edge) answer OPTIONS themselves.
 * The allowed origins come from the environment, read at cold start; unset means none (same origin only).
 */
const cors = (): MiddlewareObj<ApiEvent, ApiResult, Error, Context> => {
  const allowed = parseAllowedOrigins(process.env[CORS_ORIGINS_ENV]);
  return httpCors({
    getOrigin: (origin: string | undefined) => (isOriginAllowed(allowed, origin) ? origin : undefined),
    exposeHeaders: CORS_EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
    credentials: false,
  });
};

export interface HttpHandlerOptions {
  /** Whether the route takes a JSON body. */
  body?: boolean;
  /**
   * Whether a state-changing request (any method but GET) writes an audit event (./audit.ts): true unless a route
   * says why not. `false`, or how to audit (tests pass their own publisher).
   */
  audit?: false | AuditTrailOptions;
}

/**
 * The middy stack every HTTP function uses: observability, the audit trail, CORS, request id, body limits and
 * parsing, error mapping.
 */
export function httpHandler(fn: ApiHandler, options: HttpHandlerOptions = {}) {
  const stack = middy<ApiEvent, ApiResult, Error, Context>(fn)
    // Responses carry tokens, profiles and addresses: they never go to X-Ray as metadata (captureResponse false).
    .use(traceInvocation())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics());
  // Before cors and requestId: its after and onError run after theirs, on the final answer (status, request id).
  if (options.audit !== false) stack.use(auditTrail(options.audit ?? {}));
  stack
    // Before requestId: its after and onError run later, on the answer requestId made of any error.
    .use(cors())
    .use(requestId())
    .use(httpHeaderNormalizer())
    .use(bodyLimit());
  return options.body ? stack.use(httpJsonBodyParser()).use(noForbiddenKeys()) : stack.use(noBody());
}
