import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { flushMetrics, logger } from './observability';
import { annotate, traceInvocation } from './tracing';
import { SagaError, transient } from './saga-error';

const isTransient = (e: unknown) => {
  const err = e as {
    $retryable?: unknown;
    $fault?: string;
    name?: string;
    code?: string;
    CancellationReasons?: { Code?: string }[];
  };
  // A transaction cancelled only because another one touched the same items is worth another go.
  const conflicted =
    err?.name === 'TransactionCanceledException' &&
    (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError') &&
    !(err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
  return (
    conflicted ||
    err?.name === 'TransactionInProgressException' ||
    Boolean(err?.$retryable) ||
    err?.$fault === 'server' ||
    [
      'ThrottlingException',
      'ProvisionedThroughputExceededException',
      'RequestLimitExceeded',
      'InternalServerError',
      'ServiceUnavailable',
      'TimeoutError',
    ].includes(err?.name ?? '') ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(err?.code ?? '')
  );
};

/**
 * A saga Task: parses its input, runs the step, and names its failure so the state machine can
 * tell a business outcome (caught, compensated) from a transient fault (retried).
 */
export function sagaHandler<S extends z.ZodMiniType, R>(
  schema: S,
  step: (input: z.infer<S>, context: Context) => Promise<R>,
) {
  return (
    middy<unknown, R, Error, Context>(async (event: unknown, context: Context) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        throw new SagaError(
          'InvalidSagaInput',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      }
      const { orderId } = parsed.data as { orderId?: unknown };
      if (typeof orderId === 'string') {
        // Every step's logs and its trace segment name the order, so one search finds the whole checkout.
        logger.appendKeys({ orderId });
        annotate('orderId', orderId);
      }
      try {
        return await step(parsed.data, context);
      } catch (e) {
        if (e instanceof SagaError) throw e;
        if (isTransient(e)) {
          logger.warn('transient failure in saga step', { error: e as Error });
          throw transient((e as Error).message);
        }
        throw e;
      }
    })
      // The state carries the payment token: neither it nor a step's result goes to X-Ray as metadata.
      .use(traceInvocation())
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(flushMetrics())
  );
}
