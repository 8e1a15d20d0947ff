import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { inInvocationScope } from './invoke-store';

/** A Lambda context for in-process invocations, shaped like the one the Lambda runtime passes. */
export function lambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Invokes a function's handler module in-process, as the Lambda service would invoke it: the module is
 * loaded once (its cold start), then each call gets a fresh context, and its own scope for the state Powertools
 * keeps per invocation (./invoke-store.ts).
 */
export function localInvoker<E = unknown, R = unknown>(
  projectRoot: string,
  spec: { id: string; handler: string },
  timeoutMs = 60_000,
): (event: E) => Promise<R> {
  let handler: Promise<(event: E, context: Context) => Promise<R>> | undefined;
  return async (event) => {
    handler ??= import(pathToFileURL(path.join(projectRoot, spec.handler)).href).then(
      (m: { handler: (event: E, context: Context) => Promise<R> }) => m.handler,
    );
    const invoke = await handler;
    const context = lambdaContext(spec.id, timeoutMs);
    return inInvocationScope(context.awsRequestId, () => invoke(event, context));
  };
}
