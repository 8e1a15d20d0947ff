import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './context';
import { inInvocationScope } from './invoke-store';

/**
 * Every invocation's function id and duration, published only while someone subscribes (the bench's cost
 * figures, test/bench/platform-child.ts): off by default, and a diagnostics channel is shared by every
 * copy of this module that may be loaded.
 */
export const invocationChannel = channel('ecicomm:local-lambda:invocation');
export interface InvocationReport {
  id: string;
  /** Handler start → settle, ms (the cold start's module import excluded). */
  ms: number;
  ok: boolean;
}

/**
 * The function whose invocation is running, while the invocation channel has subscribers (the bench counts each
 * DynamoDB request against the function that sent it). Kept on globalThis: every copy of this module shares it.
 */
const invoking: AsyncLocalStorage<string> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('ecicomm:local-lambda:invoking')
] ??= new AsyncLocalStorage<string>()) as AsyncLocalStorage<string>;
export const invokingFunction = (): string | undefined => invoking.getStore();

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
    if (!invocationChannel.hasSubscribers) return inInvocationScope(context.awsRequestId, () => invoke(event, context));
    const t0 = performance.now();
    let ok = false;
    try {
      const result = await invoking.run(spec.id, () =>
        inInvocationScope(context.awsRequestId, () => invoke(event, context)),
      );
      ok = true;
      return result;
    } finally {
      invocationChannel.publish({ id: spec.id, ms: performance.now() - t0, ok } satisfies InvocationReport);
    }
  };
}
