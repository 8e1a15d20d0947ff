/**
 * A local AWS Lambda Invoke API: an in-process HTTP server speaking the Invoke operation's REST-JSON wire
 * protocol, so that tools in another process (`npm run replay`, `npm run redrive`) invoke the platform's
 * functions through the platform — as they would through Lambda in AWS — with the real
 * `@aws-sdk/client-lambda` (`new LambdaClient({ endpoint })` + InvokeCommand) and no local branch. The
 * functions stay in the platform's process, which owns what they hold: the analytics warehouse (PGlite)
 * can be opened by one process only.
 *
 * `POST /2015-03-31/functions/{FunctionName}/invocations` where FunctionName is a name, a full function ARN
 * (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`) or a partial one
 * (`<account>:function:<name>`); an optional `Qualifier` query parameter must be `$LATEST` (no versions or
 * aliases here). `X-Amz-Invocation-Type`:
 * - RequestResponse (default): 200, the body is the handler's result as JSON (`null` for undefined) and
 *   `X-Amz-Executed-Version: $LATEST`; a thrown error is still a 200, with `X-Amz-Function-Error: Unhandled`
 *   and `{errorType, errorMessage, trace}` as the Node.js runtime reports it;
 * - Event: 202 with an empty body, the handler runs after the response (its error is reported to onError:
 *   there are no retries or async destinations here);
 * - DryRun: 204.
 * `GET /2015-03-31/functions/{FunctionName}/configuration` (GetFunctionConfiguration) answers with the
 * function's name, ARN and execution role, which callers use to check that a function exists and which a
 * Kinesis record names as its invokeIdentityArn.
 *
 * Only the platform's callers get in: every request must be signed (SigV4) with the platform's per-run
 * credentials (lib/local/guard/sigv4.ts; tools read them from LOCAL_DATA_DIR/runtime.json), and browsers are
 * refused — a request with an Origin header, or a POST whose content type is not the SDK's
 * (`application/octet-stream`) or JSON, which is how a web page would send one without a CORS preflight. Those
 * are 403 (MissingAuthenticationTokenException, UnrecognizedClientException, InvalidSignatureException,
 * AccessDeniedException) and 415 UnsupportedMediaTypeException, decided before any function is looked up.
 *
 * Errors in Lambda's shape (`x-amzn-ErrorType` header, `{Type, Message}` body): an unknown function or
 * qualifier → 404 ResourceNotFoundException; a payload that is not JSON → 400 InvalidRequestContentException;
 * over 6 MB (Lambda's synchronous limit; 1 MB for Event) → 413 RequestTooLargeException; a bad invocation
 * type → 400 InvalidParameterValueException; any other path → 404 UnknownOperationException.
 *
 * Not emulated: IAM (one identity may call everything), the other Lambda operations (and most configuration fields), timeouts (a local handler runs
 * to its end: an in-process function cannot be stopped), concurrency limits, `X-Amz-Log-Type: Tail` (no log
 * capture, so no `X-Amz-Log-Result`) and the client context.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamConsumers } from '../stream-consumers';
import { routes } from '../routes';
import type { FunctionSpec } from '../function-spec';
import { orderSaga, scheduledJobs } from '../saga';
import { PortInUseError } from './emulators';
import { browserRefusal } from './guard/browsers';
import type { Refusal } from './guard/refusal';
import { signatureRefusal, type LocalCredentials } from './guard/sigv4';
import { readBody } from './http/body';
import { localInvoker } from './lambda-context';

export const LAMBDA_ACCOUNT_ID = '000000000000';
const DEFAULT_REGION = 'eu-west-2';
const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const CONFIGURATION_PATH = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/;
/** What @aws-sdk/client-lambda sends an Invoke payload as, and JSON; never a type a browser sends unpreflighted. */
const INVOKE_CONTENT_TYPES = ['application/octet-stream', 'application/json'] as const;

/**
 * A function as the emulator runs it: e.g. lib/local/lambda-context.ts' localInvoker for a handler module.
 * Its event is whatever JSON the caller sent, as in Lambda: the function checks it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LocalFunction = (event: any) => Promise<unknown> | unknown;

export interface LambdaEmulatorOptions {
  port: number;
  /** Interface to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** For the function ARNs in error messages. Default eu-west-2. */
  region?: string;
  /** Function name → what runs it. */
  functions: Record<string, LocalFunction>;
  /** The only credentials a request may be signed with (the platform's per-run secret). */
  credentials: LocalCredentials;
  /** Errors of Event invocations, which have no caller to return them to; default console.error. */
  onError?: (error: unknown, functionName: string) => void;
}

export interface LambdaEmulator {
  name: 'lambda';
  endpoint: string;
  functionNames: string[];
  functionArn(name: string): string;
  /** The execution role a function is said to run with (the local event source mappings' invokeIdentityArn). */
  roleArn(name: string): string;
  /** Stops accepting invocations and waits for those running (Event ones included) to end. */
  stop(): Promise<void>;
}

class LambdaError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** ResourceNotFoundException and others carry `Message`; InvalidRequestContentException `message`. */
    readonly messageKey: 'Message' | 'message' = 'Message',
  ) {
    super(message);
  }

  static refusing({ status, type, message }: Refusal): LambdaError {
    return new LambdaError(status, type, message, 'message');
  }
}

/** The Node.js runtime's report of a thrown value. */
export function functionErrorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  // The runtime reports a thrown non-Error as a handled string error of its own.
  return { errorType: typeof error === 'string' ? 'string' : typeof error, errorMessage: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), trace: [] };
}

export async function startLambdaEmulator(options: LambdaEmulatorOptions): Promise<LambdaEmulator> {
  const region = options.region ?? DEFAULT_REGION;
  const host = options.host ?? '127.0.0.1';
  const functions = new Map(Object.entries(options.functions));
  const onError = options.onError ?? ((e: unknown, name: string) => console.error(`lambda ${name} (Event invocation) failed:`, e));
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${LAMBDA_ACCOUNT_ID}:function:${name}`;
  const roleArn = (name: string) => `arn:aws:iam::${LAMBDA_ACCOUNT_ID}:role/${name}-role`;
  const running = new Set<Promise<unknown>>();

  /** The function a FunctionName (and Qualifier) names, as Lambda resolves it. */
  function resolve(raw: string, qualifier: string | null): { name: string; fn: LocalFunction } {
    let name = raw;
    let arnQualifier: string | undefined;
    const full = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(?::([^:]+))?$/.exec(raw);
    const partial = /^\d{12}:function:([^:]+)(?::([^:]+))?$/.exec(raw);
    const match = full ?? partial;
    if (match) {
      name = match[1]!;
      arnQualifier = match[2];
    } else {
      const [base, q, ...rest] = raw.split(':');
      if (rest.length) throw new LambdaError(400, 'InvalidParameterValueException', `Invalid function name: ${raw}`);
      name = base!;
      arnQualifier = q;
    }
    const fn = functions.get(name);
    if (!fn) throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(name)}`);
    if (qualifier !== null && arnQualifier !== undefined && qualifier !== arnQualifier) {
      throw new LambdaError(400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
    }
    const version = qualifier ?? arnQualifier;
    if (version !== undefined && version !== '$LATEST') throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(name)}:${version}`);
    return { name, fn };
  }

  function tooLarge(limit: number) {
    return new LambdaError(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 'message');
  }

  function parsePayload(body: Buffer): unknown {
    // The CLI and SDK send no body when no payload is given; the function then receives {}.
    if (!body.length) return {};
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new LambdaError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(e as Error).message}`, 'message');
    }
  }

  function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string) {
    response.writeHead(status, { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : { 'content-length': '0' }) });
    response.end(body);
  }

  /** The request's body once it is known to come from a holder of the platform's credentials, not a browser. */
  async function authenticatedBody(request: IncomingMessage): Promise<Buffer> {
    const method = request.method ?? 'GET';
    const notForBrowsers = browserRefusal(method, request.headers, INVOKE_CONTENT_TYPES);
    if (notForBrowsers) throw LambdaError.refusing(notForBrowsers);
    const { body, tooLarge: overLimit } = await readBody(request, { limit: SYNC_PAYLOAD_LIMIT });
    if (overLimit) throw tooLarge(SYNC_PAYLOAD_LIMIT);
    const unsigned = await signatureRefusal({ method, url: request.url ?? '/', headers: request.headers, body }, { credentials: options.credentials, service: 'lambda' });
    if (unsigned) throw LambdaError.refusing(unsigned);
    return body;
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const payload = await authenticatedBody(request);
    const url = new URL(request.url ?? '/', 'http://lambda');
    const configuration = CONFIGURATION_PATH.exec(url.pathname);
    if (request.method === 'GET' && configuration) {
      const { name } = resolve(decodeURIComponent(configuration[1]!), url.searchParams.get('Qualifier'));
      const body = {
        FunctionName: name,
        FunctionArn: functionArn(name),
        Role: roleArn(name),
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        PackageType: 'Zip',
        Version: '$LATEST',
        State: 'Active',
        LastUpdateStatus: 'Successful',
      };
      return send(response, 200, {}, JSON.stringify(body));
    }
    const route = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !route) {
      throw new LambdaError(404, 'UnknownOperationException', `Unknown operation ${request.method} ${url.pathname}`);
    }
    const invocationType = (request.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      throw new LambdaError(400, 'InvalidParameterValueException', `Unsupported invocation type: ${invocationType}`);
    }
    const { name, fn } = resolve(decodeURIComponent(route[1]!), url.searchParams.get('Qualifier'));
    if (invocationType === 'Event' && payload.length > ASYNC_PAYLOAD_LIMIT) throw tooLarge(ASYNC_PAYLOAD_LIMIT);
    const event = parsePayload(payload);
    const executed = { 'x-amz-executed-version': '$LATEST' };
    if (invocationType === 'DryRun') return send(response, 204, {});
    if (invocationType === 'Event') {
      send(response, 202, {});
      track(Promise.resolve().then(() => fn(event)).catch((e: unknown) => onError(e, name)));
      return;
    }
    await invokeSynchronously(response, fn, event);
  }

  /** RequestResponse: the function's result, or its error as the Node.js runtime reports it, in a 200. */
  async function invokeSynchronously(response: ServerResponse, fn: LocalFunction, event: unknown) {
    const executed = { 'x-amz-executed-version': '$LATEST' };
    let result: unknown;
    try {
      result = await track(Promise.resolve().then(() => fn(event)));
    } catch (error) {
      return send(response, 200, { ...executed, 'x-amz-function-error': 'Unhandled' }, JSON.stringify(functionErrorPayload(error)));
    }
    let body: string;
    try {
      body = JSON.stringify(result ?? null);
    } catch (error) {
      // A result JSON cannot carry (a cycle, a BigInt) fails the invocation, as it does in the runtime.
      return send(response, 200, { ...executed, 'x-amz-function-error': 'Unhandled' }, JSON.stringify(functionErrorPayload(error)));
    }
    if (Buffer.byteLength(body) > SYNC_PAYLOAD_LIMIT) {
      const payload = { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_PAYLOAD_LIMIT} bytes).` };
      return send(response, 200, { ...executed, 'x-amz-function-error': 'Unhandled' }, JSON.stringify(payload));
    }
    send(response, 200, executed, body);
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    running.add(promise);
    void promise.finally(() => running.delete(promise)).catch(() => undefined);
    return promise;
  }

  const server = createServer((request, response) => {
    const answered = new Promise<void>((resolve) => response.once('close', () => resolve()));
    track(answered);
    handle(request, response).catch((e: unknown) => {
      // A refused request's body is drained unread, so its sender reads the answer rather than a reset.
      request.resume();
      if (response.headersSent) return;
      if (e instanceof LambdaError) {
        return send(response, e.status, { 'x-amzn-errortype': e.type }, JSON.stringify({ Type: 'User', [e.messageKey]: e.message }));
      }
      send(response, 500, { 'x-amzn-errortype': 'ServiceException' }, JSON.stringify({ Type: 'Service', Message: (e as Error)?.message ?? String(e) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'local Lambda') : e));
    server.listen(options.port, host, () => resolve());
  });
  const endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    name: 'lambda',
    endpoint,
    functionNames: [...functions.keys()],
    functionArn,
    roleArn,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Invocations under way are answered (and Event ones run to their end) before the connections go.
      while (running.size) await Promise.allSettled([...running]);
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The functions the local platform serves through the Invoke API: the routes' functions (for `npm run replay`
 * of an API Gateway event: an analytics route reads the warehouse), stream consumers, saga tasks, scheduled jobs.
 */
export function invocableFunctions(): Pick<FunctionSpec, 'id' | 'handler'>[] {
  const all = [...routes, ...streamConsumers, ...orderSaga.tasks, ...scheduledJobs];
  const ids = new Set<string>();
  for (const { id } of all) {
    if (ids.has(id)) throw new Error(`Two functions are named ${id}: function names must be unique`);
    ids.add(id);
  }
  return all;
}

/**
 * The platform's Invoke API: each function by its id (lib/routes.ts, lib/stream-consumers.ts, lib/saga.ts), run by its handler module in this process (the same
 * module instances the event source mappings, the saga and the timers call, so what a module holds — the
 * warehouse — is opened once). `functions` replaces any of them with the invoker the platform already uses.
 */
export function startPlatformLambda(options: {
  port: number;
  region: string;
  projectRoot: string;
  credentials: LocalCredentials;
  functions?: Record<string, LocalFunction>;
}): Promise<LambdaEmulator> {
  const functions: Record<string, LocalFunction> = Object.fromEntries(invocableFunctions().map((spec) => [spec.id, localInvoker(options.projectRoot, spec)]));
  return startLambdaEmulator({ port: options.port, region: options.region, credentials: options.credentials, functions: { ...functions, ...options.functions } });
}
