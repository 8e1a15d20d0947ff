import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleAll,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { RecommendationRequest } from '../../../ml/src/model';
import { ModelUnavailableError, type RecommendationModel } from '../ports';
import { ModelAnswer } from '../schemas';

export interface ResilienceOptions {
  /** The endpoint must answer within this (ms), or the caller falls back. */
  timeoutMs: number;
  /** Consecutive failures (errors, timeouts, malformed answers) that open the breaker. */
  failuresToOpen: number;
  /** How long the breaker stays open before one trial call is let through (ms). */
  halfOpenAfterMs: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = { timeoutMs: 300, failuresToOpen: 5, halfOpenAfterMs: 10_000 };

class GarbageAnswerError extends Error {
  override name = 'GarbageAnswerError';
}

/**
 * The model behind a SageMaker endpoint, called through a circuit breaker around a timeout. The breaker
 * lives as long as the function's container: once an endpoint has failed `failuresToOpen` times in a
 * row, requests stop waiting on it (they fall back at once) until a trial call succeeds. A malformed
 * answer counts as a failure: an endpoint that answers garbage is broken, however fast it is.
 */
export class SageMakerModel implements RecommendationModel {
  readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly client: SageMakerRuntimeClient,
    private readonly endpointName: string,
    options: ResilienceOptions = DEFAULT_RESILIENCE,
  ) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.failuresToOpen),
    });
    // Aggressive: the caller stops waiting at the deadline; the abort signal also cancels the HTTP request.
    this.policy = wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  }

  async recommend(request: RecommendationRequest) {
    try {
      return await this.policy.execute(async ({ signal }) => {
        const output = await this.client.send(
          new InvokeEndpointCommand({
            EndpointName: this.endpointName,
            ContentType: 'application/json',
            Accept: 'application/json',
            Body: new TextEncoder().encode(JSON.stringify(request)),
          }),
          { abortSignal: signal },
        );
        let body: unknown;
        try {
          body = JSON.parse(this.decoder.decode(output.Body));
        } catch {
          throw new GarbageAnswerError('The endpoint answered with something other than JSON');
        }
        const parsed = ModelAnswer.safeParse(body);
        if (!parsed.success)
          throw new GarbageAnswerError(
            `The endpoint's answer is not a recommendation list: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
          );
        return { answer: parsed.data, variant: output.InvokedProductionVariant ?? null };
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new ModelUnavailableError('breaker-open', 'The model endpoint breaker is open', { cause: error });
      if (error instanceof TaskCancelledError)
        throw new ModelUnavailableError('timeout', 'The model endpoint did not answer in time', { cause: error });
      if (error instanceof GarbageAnswerError)
        throw new ModelUnavailableError('garbage', error.message, { cause: error });
      throw new ModelUnavailableError(
        'error',
        `The model endpoint failed: ${(error as Error).name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
