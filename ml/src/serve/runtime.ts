/**
 * `POST /endpoints/{name}/invocations`, as the SageMaker *runtime* answers in front of a container: the
 * production variant that answered in `x-Amzn-Invoked-Production-Variant`, a request id, a
 * `X-Amzn-SageMaker-Target-Variant` naming another variant refused, an unknown endpoint a 400
 * ValidationError, and a container error (4xx/5xx) wrapped as a 424 `ModelError` carrying
 * `OriginalStatusCode` and `OriginalMessage` — the errors the SDK raises in AWS, so callers handle one
 * shape in both places. Shared by a single model server (its own endpoint) and the runtime router (several).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http';
import { invoke, type Serving } from './invoke';

export const RUNTIME_PATH = /^\/endpoints\/([^/]+)\/invocations\/?$/;

/** A SageMaker runtime error as the SDK parses it: the type in x-amzn-errortype, the fields in the body. */
export const runtimeError = (
  res: ServerResponse,
  status: number,
  type: string,
  body: Record<string, unknown>,
  requestId: string = randomUUID(),
) => send(res, status, body, { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId });

/** The endpoint name of a runtime path, or undefined when it is not validly percent-encoded. */
export function endpointNameOf(encodedName: string): string | undefined {
  try {
    return decodeURIComponent(encodedName);
  } catch {
    return undefined;
  }
}

/** Answers a runtime request; `serving` is the endpoint's model, undefined when no endpoint has that name. */
export async function answerAsRuntime(
  req: IncomingMessage,
  res: ServerResponse,
  encodedName: string,
  serving: (endpointName: string) => Serving | undefined,
) {
  const requestId = randomUUID();
  if (req.method !== 'POST') return runtimeError(res, 405, 'ValidationError', { message: 'Use POST' }, requestId);
  const endpointName = endpointNameOf(encodedName);
  if (endpointName === undefined) {
    req.resume();
    const message = 'The endpoint name is not validly percent-encoded';
    return runtimeError(res, 400, 'ValidationError', { message }, requestId);
  }
  const endpoint = serving(endpointName);
  if (!endpoint) {
    req.resume();
    return runtimeError(res, 400, 'ValidationError', { message: `Endpoint ${endpointName} not found.` }, requestId);
  }
  const target = req.headers['x-amzn-sagemaker-target-variant'];
  if (typeof target === 'string' && target !== endpoint.variant) {
    req.resume();
    const message = `Variant ${target} not found for endpoint ${endpointName}.`;
    return runtimeError(res, 400, 'ValidationError', { message }, requestId);
  }
  if (!endpoint.model()) {
    req.resume();
    const message = `Endpoint ${endpointName} is not ready: the model is still loading.`;
    return runtimeError(res, 503, 'ServiceUnavailable', { message }, requestId);
  }
  const answer = await invoke(req, endpoint);
  const variantHeader = { 'x-Amzn-Invoked-Production-Variant': endpoint.variant };
  if (answer.status === 200) return send(res, 200, answer.body, { ...variantHeader, 'x-amzn-requestid': requestId });
  const originalMessage = JSON.stringify(answer.body);
  const kind = answer.status < 500 ? 'client' : 'server';
  return runtimeError(
    res,
    424,
    'ModelError',
    {
      ErrorCode: `${kind.toUpperCase()}_ERROR_FROM_MODEL`,
      Message: `Received ${kind} error (${answer.status}) from primary with message "${originalMessage}".`,
      OriginalMessage: originalMessage,
      OriginalStatusCode: answer.status,
    },
    requestId,
  );
}
