/**
 * The Data API's errors as the JSON 1.1 protocol carries them: `{"__type": "<Shape>", "Message": …}` with the shape
 * also in `x-amzn-ErrorType`; the SDK builds the exception class the shape names (ValidationException,
 * ResourceNotFoundException, …). Every one is the caller's: a 4xx, never a 5xx.
 */
import type { Refusal } from '../guard/refusal';

export class DataApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    /** Members of the error shape beyond its Message (ResourceNotFoundException's ResourceId). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  static refusing({ status, type, message }: Refusal): DataApiError {
    return new DataApiError(type, message, status);
  }

  get body(): Record<string, unknown> {
    return { __type: this.type, Message: this.message, message: this.message, ...this.extra };
  }
}

export const validation = (message: string) => new DataApiError('ValidationException', message);

export const statementNotFound = (id: string) =>
  new DataApiError('ResourceNotFoundException', `Query does not exist: ${id}`, 400, { ResourceId: id });

export const unknownOperation = (target: string) =>
  new DataApiError(
    'UnknownOperationException',
    `The operation ${target || '(none)'} is not supported by the local Redshift Data API.`,
  );
