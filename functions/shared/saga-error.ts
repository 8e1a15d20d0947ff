/**
 * A saga Task's failure, named for the state machine: its Retry and Catch match on `error.name` (the Lambda
 * runtime reports it as the error type; the local runner matches the same name). A plain error, so domain
 * code can throw it without importing any runtime machinery.
 */
export class SagaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Worth retrying: throttling, timeouts, a dependency's 5xx. The state machine retries it with backoff. */
export const transient = (message: string) => new SagaError('TransientError', message);
