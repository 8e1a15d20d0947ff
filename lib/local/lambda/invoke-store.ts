/**
 * The local platform invokes many handlers at once in one process, and one handler module many times at once: what
 * Lambda does only on Managed Instances (several invocations per execution environment). There the runtime scopes
 * each invocation's state in the InvokeStore (an AsyncLocalStorage) and sets AWS_LAMBDA_MAX_CONCURRENCY, and
 * Powertools keeps its per-invocation state there: the logger's keys and Lambda context, the metrics not yet
 * published, a batch's failures. The local invoker does as that runtime does; without it, one invocation's
 * `resetKeys` wiped another's requestId mid-request, and a log line carried a concurrent invocation's order.
 *
 * The platform turns this on as it starts (enableInvocationScopes), before any SDK request asks the InvokeStore for
 * its instance: the first to ask decides whether it is per-invocation, for the whole process. Importing this module
 * changes nothing, so a test that calls a handler directly, outside any scope, runs as on Lambda's usual runtime.
 */
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

let store: Promise<InvokeStoreBase> | undefined;

/** Puts this process in per-invocation mode, as Lambda's runtime on Managed Instances does. Idempotent. */
export function enableInvocationScopes(): void {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  store ??= InvokeStore.getInstanceAsync(true);
}

/**
 * Runs one invocation in its own InvokeStore context, holding its request id and trace header as Lambda's runtime
 * does; outside per-invocation mode, as it is.
 */
export async function inInvocationScope<T>(awsRequestId: string, invoke: () => Promise<T>): Promise<T> {
  if (!store) return invoke();
  const { REQUEST_ID, X_RAY_TRACE_ID } = InvokeStoreBase.PROTECTED_KEYS;
  const traceId = process.env._X_AMZN_TRACE_ID;
  return (await store).run({ [REQUEST_ID]: awsRequestId, ...(traceId ? { [X_RAY_TRACE_ID]: traceId } : {}) }, invoke);
}
