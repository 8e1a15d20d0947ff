import { eventRules } from '../../events';
import { routes } from '../../routes';
import type { FunctionSpec } from '../../function-spec';
import { orderSaga, scheduledJobs } from '../../saga';
import { streamConsumers } from '../../stream-consumers';
import type { LocalCredentials } from '../guard/sigv4';
import { localInvoker } from './local-invoker';
import { startLambdaEmulator } from './server';
import type { LambdaEmulator, LocalFunction } from './types';

/**
 * The functions the local platform serves through the Invoke API: the routes' functions (for `npm run replay`
 * of an API Gateway event: an analytics route reads the warehouse), stream consumers, saga tasks, scheduled jobs,
 * the event rules' targets.
 */
export function invocableFunctions(): Pick<FunctionSpec, 'id' | 'handler'>[] {
  const all = [...routes, ...streamConsumers, ...orderSaga.tasks, ...scheduledJobs, ...eventRules.map((r) => r.target)];
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
  const functions: Record<string, LocalFunction> = Object.fromEntries(
    invocableFunctions().map((spec) => [spec.id, localInvoker(options.projectRoot, spec)]),
  );
  return startLambdaEmulator({
    port: options.port,
    region: options.region,
    credentials: options.credentials,
    functions: { ...functions, ...options.functions },
  });
}
