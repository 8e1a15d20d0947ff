/**
 * X-Ray tracing through Powertools' Tracer, loaded only where tracing is on and only when first needed. The Tracer
 * pulls in the X-Ray SDK (with cls-hooked, async hooks and the http/https patches): a fifth of a handler's bundle and
 * the largest part of its init once the SDK clients are bundled. Locally and in tests (no AWS_EXECUTION_ENV) it is
 * never loaded; in AWS, where the function's tracing is ACTIVE, the first invocation loads it before its handler runs
 * (traceInvocation) and every SDK client made through traced() is captured before its first request is sent.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { constructStack } from '@smithy/core/client';
import type { MiddlewareStack } from '@smithy/types';
import type { MiddlewareObj } from '@middy/core';

/** What traced() needs of an SDK v3 client. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the stack's input and output types vary per client
type SdkClient = { middlewareStack: MiddlewareStack<any, any>; config: object; send: unknown };

/**
 * Powertools' own rule (Tracer#setTracingEnabled): on in a Lambda execution environment, unless POWERTOOLS_TRACE_ENABLED
 * is "false" or it is SAM local or the Amplify mock. Read once, as the Tracer reads it once when it is built.
 */
export function tracingActive(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
}

let active: boolean | undefined;
const isActive = () => (active ??= tracingActive());

let tracer: Tracer | undefined;
let loading: Promise<Tracer> | undefined;
/** Clients made before the tracer loaded: captured as soon as it has. */
const pending = new Set<SdkClient>();
const LAZY_CAPTURE = 'ecicommCaptureOnLoad';

function capture(client: SdkClient) {
  client.middlewareStack.remove(LAZY_CAPTURE);
  tracer!.captureAWSv3Client(client as never);
}

/** The tracer, loaded once (only call where tracing is active). */
export function loadTracer(): Promise<Tracer> {
  loading ??= import('@aws-lambda-powertools/tracer').then(({ Tracer }) => {
    tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ecicomm' });
    for (const client of pending) capture(client);
    pending.clear();
    return tracer;
  });
  return loading;
}

/**
 * A client whose every call is an X-Ray subsegment of the invocation's trace (the table, stream or state machine it
 * named), so one trace follows a checkout through every service. Where tracing is off (the local platform, tests)
 * the client is returned untouched. Made before the tracer has loaded (clients are made at init), it is captured
 * when it loads; should a request go out first (a function whose handler does not load the tracer itself), that
 * request waits for the tracer and runs under X-Ray's middleware all the same.
 */
export function traced<T>(client: T): T {
  if (!isActive()) return client;
  const sdkClient = client as unknown as SdkClient;
  if (tracer) {
    capture(sdkClient);
    return client;
  }
  pending.add(sdkClient);
  sdkClient.middlewareStack.add(
    (next, context) => async (args) => {
      const loaded = await loadTracer();
      // This request's middleware was resolved before the capture: X-Ray's runs around the rest of it, alone, from
      // a stack of its own (the Powertools user-agent middleware, placed relative to the SDK's, is left out).
      const once = constructStack();
      loaded.captureAWSv3Client({ send: sdkClient.send, config: sdkClient.config, middlewareStack: once } as never);
      once.removeByTag('POWERTOOLS');
      return once.resolve(next, context)(args);
    },
    { step: 'build', name: LAZY_CAPTURE, override: true },
  );
  return client;
}

/** An annotation on the invocation's segment (searchable in X-Ray); nothing where tracing is off. */
export function annotate(key: string, value: string | number | boolean): void {
  tracer?.putAnnotation(key, value);
}

/**
 * Powertools' captureLambdaHandler, with the tracer loaded on the first invocation: the handler's subsegment, the
 * ColdStart and Service annotations, errors as metadata. Responses and saga states carry tokens and addresses: they
 * never go to X-Ray as metadata.
 */
export function traceInvocation<E, R>(): MiddlewareObj<E, R> {
  let inner: MiddlewareObj | undefined;
  const load = async () => {
    const [loaded, { captureLambdaHandler }] = await Promise.all([
      loadTracer(),
      import('@aws-lambda-powertools/tracer/middleware'),
    ]);
    inner = captureLambdaHandler(loaded, { captureResponse: false });
  };
  return {
    before: async (request) => {
      if (!isActive()) return;
      if (!inner) await load();
      await inner!.before?.(request);
    },
    after: async (request) => {
      await inner?.after?.(request);
    },
    onError: async (request) => {
      await inner?.onError?.(request);
    },
  };
}
