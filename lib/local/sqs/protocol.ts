/**
 * The AWS JSON 1.0 protocol as @aws-sdk/client-sqs v3 speaks it: `POST /`, `X-Amz-Target: AmazonSQS.<Action>`,
 * `content-type: application/x-amz-json-1.0`, a JSON object as the body. Errors are
 * `{"__type": "com.amazonaws.sqs#<Code>", "message": …}` plus the `x-amzn-query-error: <query code>;Sender`
 * header (./errors.ts). The query (XML) protocol of older SDKs is not spoken.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/body';
import { actionFor } from './actions';
import { SqsError } from './errors';
import type { Action } from './action';
import { SQS_ACCOUNT_ID, type Input, type RequestContext } from './types';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Ten 1 MiB messages, base64 attributes and JSON framing fit; anything larger is refused (413) and not kept. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export interface SqsRequest {
  action: Action;
  input: Input;
  context: RequestContext;
}

/** The action a request asks for, its input and who sent it from where. */
export async function readRequest(
  req: IncomingMessage,
  options: { defaultRegion: string; signal: AbortSignal },
): Promise<SqsRequest> {
  const { body: raw, tooLarge } = await readBody(req, { limit: MAX_REQUEST_BYTES });
  if (tooLarge)
    throw new SqsError(
      'RequestEntityTooLarge',
      `Requests must be at most ${MAX_REQUEST_BYTES} bytes.`,
      'RequestEntityTooLarge',
      413,
    );
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string') {
    throw new SqsError(
      'InvalidAction',
      'The local SQS emulator speaks only the AWS JSON protocol: POST / with X-Amz-Target: AmazonSQS.<Action> and content-type application/x-amz-json-1.0.',
    );
  }
  const action = actionFor(target);
  const input = parseInput(raw);
  // SigV4: Authorization: AWS4-HMAC-SHA256 Credential=<access key>/<date>/<region>/<service>/aws4_request, …
  const credential = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//.exec(req.headers.authorization ?? '');
  const context: RequestContext = {
    region: credential?.[2] ?? options.defaultRegion,
    senderId: credential?.[1] ?? SQS_ACCOUNT_ID,
    signal: options.signal,
  };
  return { action, input, context };
}

function parseInput(raw: Buffer): Input {
  let input: unknown;
  try {
    input = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new SqsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SqsError('SerializationException', 'The request body must be a JSON object.');
  }
  return input as Input;
}

/** The answers to one request, each with the request's id; `stopping` closes the connection after the answer. */
export function responder(res: ServerResponse, stopping: AbortSignal) {
  const requestId = randomUUID();
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    const closing = stopping.aborted ? { connection: 'close' } : {};
    res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, ...closing, ...headers });
    res.end(JSON.stringify(body));
  };
  return {
    ok: (result: unknown) => reply(200, result),
    unavailable: () =>
      reply(
        503,
        { __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'The local SQS emulator is stopping.' },
        { 'x-amzn-query-error': 'ServiceUnavailable;Receiver' },
      ),
    /** An SqsError in SQS's shape; anything else is the emulator's fault, a 500 with no detail. */
    error: (e: unknown) => {
      if (e instanceof SqsError) {
        return reply(
          e.status,
          { __type: `com.amazonaws.sqs#${e.code}`, message: e.message },
          { 'x-amzn-query-error': `${e.queryCode};Sender` },
        );
      }
      console.error('sqs emulator error', e);
      reply(
        500,
        { __type: 'com.amazonaws.sqs#InternalError', message: 'Internal error' },
        { 'x-amzn-query-error': 'InternalError;Receiver' },
      );
    },
  };
}
