import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './context';
import { inInvocationScope } from './invoke-store';

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
