import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import {
  AssignSegmentAnswer,
  ForecastAnswer,
  PricingAnswer,
  SegmentCustomersAnswer,
  SegmentsAnswer,
  type InsightsInvocation,
  type SegmentFeatures,
} from '../../../ml/src/insights/contract';
import { InsightsRefusedError, InsightsUnavailableError, type DemandInsightsModel } from '../ports';

export interface InsightsResilience {
  /** The endpoint must answer within this (ms). */
  timeoutMs: number;
  /** Consecutive failures (errors, timeouts, malformed answers) that open the breaker. */
  failuresToOpen: number;
  /** How long the breaker stays open before one trial call is let through (ms). */
  halfOpenAfterMs: number;
}

/**
 * Analysts wait longer than shoppers: a forecast of 500 products is a larger answer than a recommendation list,
 * and no page view waits on it. The shoppers' caller (recommendations' segment) passes its own, shorter timeout.
 */
export const DEFAULT_INSIGHTS_RESILIENCE: InsightsResilience = {
  timeoutMs: 3000,
  failuresToOpen: 5,
  halfOpenAfterMs: 10_000,
};

class GarbageAnswerError extends Error {
  override name = 'GarbageAnswerError';
}

/** What zod's safeParse gives, for any schema of the contract. */
interface AnswerSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

/** The container's own 4xx, as the runtime wraps it (ModelError with OriginalStatusCode): the request was wrong. */
const isRefusal = (error: unknown) => {
  const e = error as { name?: string; OriginalStatusCode?: number };
  return e?.name === 'ModelError' && typeof e.OriginalStatusCode === 'number' && e.OriginalStatusCode < 500;
};

/**
 * The demand-insights model behind its SageMaker endpoint, through a circuit breaker around a timeout, as the
 * recommendation model's adapter does it: the breaker lives as long as the container, a malformed answer counts
 * as a failure, and any failure becomes InsightsUnavailableError. A request the container itself refuses (its
 * 4xx) is InsightsRefusedError and does not count against the endpoint: the endpoint is fine.
 */
export class SageMakerInsights implements DemandInsightsModel {
  readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly client: Pick<SageMakerRuntimeClient, 'send'>,
    private readonly endpointName: string,
    options: InsightsResilience = DEFAULT_INSIGHTS_RESILIENCE,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof InsightsRefusedError)),
      { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.failuresToOpen) },
    );
    this.policy = wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  }

  forecast(productIds: readonly string[], weeks: number, { history = true }: { history?: boolean } = {}) {
    return this.invoke({ task: 'forecast', productIds: [...productIds], weeks, history }, ForecastAnswer);
  }

  segments() {
    return this.invoke({ task: 'segments' }, SegmentsAnswer);
  }

  segmentCustomers(request: { segment: string; limit: number; cursor?: string }) {
    return this.invoke({ task: 'segmentCustomers', ...request }, SegmentCustomersAnswer);
  }

  pricing(productId: string, currentPrice: number) {
    return this.invoke({ task: 'pricing', productId, currentPrice }, PricingAnswer);
  }

  assignSegment(features: SegmentFeatures) {
    return this.invoke({ task: 'assignSegment', features }, AssignSegmentAnswer);
  }

  private async invoke<T>(invocation: InsightsInvocation, schema: AnswerSchema<T>): Promise<T> {
    try {
      return await this.policy.execute(async ({ signal }) => {
        let output;
        try {
          output = await this.client.send(
            new InvokeEndpointCommand({
              EndpointName: this.endpointName,
              ContentType: 'application/json',
              Accept: 'application/json',
              Body: new TextEncoder().encode(JSON.stringify(invocation)),
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          if (isRefusal(error))
            throw new InsightsRefusedError(
              `The model refused the ${invocation.task} request: ${(error as Error).message}`,
            );
          throw error;
        }
        return this.parse(output.Body, schema, invocation.task);
      });
    } catch (error) {
      throw unavailable(error);
    }
  }

  private parse<T>(body: Uint8Array | undefined, schema: AnswerSchema<T>, task: string): T {
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(body));
    } catch {
      throw new GarbageAnswerError('The insights endpoint answered with something other than JSON');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new GarbageAnswerError(
        `The insights endpoint's answer is not a ${task} answer: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    return parsed.data;
  }
}

/** Every failure as the port names it; a refusal passes through as itself. */
function unavailable(error: unknown): Error {
  if (error instanceof InsightsRefusedError) return error;
  if (error instanceof BrokenCircuitError)
    return new InsightsUnavailableError('breaker-open', 'The insights endpoint breaker is open', { cause: error });
  if (error instanceof TaskCancelledError)
    return new InsightsUnavailableError('timeout', 'The insights endpoint did not answer in time', { cause: error });
  if (error instanceof GarbageAnswerError)
    return new InsightsUnavailableError('garbage', error.message, { cause: error });
  return new InsightsUnavailableError(
    'error',
    `The insights endpoint failed: ${(error as Error).name}: ${(error as Error).message}`,
    { cause: error },
  );
}
