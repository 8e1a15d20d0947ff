/**
 * The Invoke API's wire protocol: paths, limits, who may call (signed, not a browser), how a FunctionName
 * resolves, how a payload is parsed and how an answer is written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserRefusal } from '../guard/browsers';
import { signatureRefusal, type LocalCredentials } from '../guard/sigv4';
import { readBody } from '../http/body';
import { LambdaError, tooLarge } from './errors';

export const LAMBDA_ACCOUNT_ID = '000000000000';
export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
export const CONFIGURATION_PATH = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/;
/** What @aws-sdk/client-lambda sends an Invoke payload as, and JSON; never a type a browser sends unpreflighted. */
const INVOKE_CONTENT_TYPES = ['application/octet-stream', 'application/json'] as const;

/** The function name and the `$LATEST` check of a FunctionName (and Qualifier), as Lambda resolves them. */
export function resolveFunctionName(
  raw: string,
  qualifier: string | null,
  known: (name: string) => boolean,
  functionArn: (name: string) => string,
): string {
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
  if (!known(name)) throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(name)}`);
  if (qualifier !== null && arnQualifier !== undefined && qualifier !== arnQualifier) {
    throw new LambdaError(
      400,
      'InvalidParameterValueException',
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  const version = qualifier ?? arnQualifier;
  if (version !== undefined && version !== '$LATEST')
    throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(name)}:${version}`);
  return name;
}

export function parsePayload(body: Buffer): unknown {
  // The CLI and SDK send no body when no payload is given; the function then receives {}.
  if (!body.length) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new LambdaError(
      400,
      'InvalidRequestContentException',
      `Could not parse request body into json: ${(e as Error).message}`,
      'message',
    );
  }
}

export function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string) {
  response.writeHead(status, {
    ...headers,
    ...(body !== undefined
      ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
      : { 'content-length': '0' }),
  });
  response.end(body);
}

export function sendError(response: ServerResponse, e: unknown) {
  if (e instanceof LambdaError) {
    return send(
      response,
      e.status,
      { 'x-amzn-errortype': e.type },
      JSON.stringify({ Type: 'User', [e.messageKey]: e.message }),
    );
  }
  send(
    response,
    500,
    { 'x-amzn-errortype': 'ServiceException' },
    JSON.stringify({ Type: 'Service', Message: (e as Error)?.message ?? String(e) }),
  );
}

/** The request's body once it is known to come from a holder of the platform's credentials, not a browser. */
export async function authenticatedBody(request: IncomingMessage, credentials: LocalCredentials): Promise<Buffer> {
  const method = request.method ?? 'GET';
  const notForBrowsers = browserRefusal(method, request.headers, INVOKE_CONTENT_TYPES);
  if (notForBrowsers) throw LambdaError.refusing(notForBrowsers);
  const { body, tooLarge: overLimit } = await readBody(request, { limit: SYNC_PAYLOAD_LIMIT });
  if (overLimit) throw tooLarge(SYNC_PAYLOAD_LIMIT);
  const unsigned = await signatureRefusal(
    { method, url: request.url ?? '/', headers: request.headers, body },
    { credentials, service: 'lambda' },
  );
  if (unsigned) throw LambdaError.refusing(unsigned);
  return body;
}

/** GetFunctionConfiguration's answer: what callers check a function by, and its role. */
export function functionConfiguration(name: string, functionArn: string, roleArn: string) {
  return {
    FunctionName: name,
    FunctionArn: functionArn,
    Role: roleArn,
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    PackageType: 'Zip',
    Version: '$LATEST',
    State: 'Active',
    LastUpdateStatus: 'Successful',
  };
}
