import { unavailableFor } from '../../shared/errors';
import { InsightsUnavailableError, type ModelQueryDeps } from '../ports';

/**
 * How long a client should wait when the model does not answer: a breaker opened by repeated failures lets one
 * call through after 10 s; a model still training on a first local start takes about a minute.
 */
export const MODEL_RETRY_AFTER_SECONDS = 30;

export const MODEL_UNAVAILABLE_MESSAGE =
  'The demand-insights model is not available right now (it may still be training, or its endpoint is down or slow); ' +
  `try again in ${MODEL_RETRY_AFTER_SECONDS} seconds`;

/**
 * Runs a call to the model; its unavailability becomes the contract's 503 DEPENDENCY_UNAVAILABLE with Retry-After
 * (functions/shared/http.ts maps it), logged once here with the reason. Anything else passes through.
 */
export async function fromModel<T>(
  what: string,
  call: () => Promise<T>,
  deps: Pick<ModelQueryDeps, 'log'>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof InsightsUnavailableError)) throw error;
    deps.log.warn('demand-insights model unavailable', { what, reason: error.reason, error: error.message });
    throw unavailableFor(MODEL_UNAVAILABLE_MESSAGE, MODEL_RETRY_AFTER_SECONDS);
  }
}
