/** Errors in Lambda's shape: an `x-amzn-ErrorType` header and a `{Type, Message}` body. */
import type { Refusal } from '../guard/refusal';

export class LambdaError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** ResourceNotFoundException and others carry `Message`; InvalidRequestContentException `message`. */
    readonly messageKey: 'Message' | 'message' = 'Message',
  ) {
    super(message);
  }

  static refusing({ status, type, message }: Refusal): LambdaError {
    return new LambdaError(status, type, message, 'message');
  }
}

export function tooLarge(limit: number) {
  return new LambdaError(
    413,
    'RequestTooLargeException',
    `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
    'message',
  );
}

/** The Node.js runtime's report of a thrown value. */
export function functionErrorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  // The runtime reports a thrown non-Error as a handled string error of its own.
  return {
    errorType: typeof error === 'string' ? 'string' : typeof error,
    errorMessage: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)),
    trace: [],
  };
}
