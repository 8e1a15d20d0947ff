/**
 * SQS's errors: each carries the shape name the JSON body's `__type` names and the awsQuery code the
 * `x-amzn-query-error` header carries, which the SDK (SQS is "awsQueryCompatible") reads first to pick the
 * exception class: `AWS.SimpleQueueService.NonExistentQueue` becomes `QueueDoesNotExist`, and so on.
 */

export class SqsError extends Error {
  /**
   * @param code the shape name the JSON body carries in `__type`
   * @param queryCode the awsQuery error code the `x-amzn-query-error` header carries
   */
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode: string = code,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const nonExistentQueue = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
export const invalidParameter = (name: string, value: unknown, reason: string) =>
  new SqsError(
    'InvalidParameterValue',
    `Value ${typeof value === 'string' ? value : JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${reason}.`,
  );
export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
export const invalidAttributeValue = (name: string, reason = '') =>
  new SqsError(
    'InvalidAttributeValue',
    `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`,
  );
export const invalidAttributeName = (name: string) =>
  new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
export const unsupported = (what: string) =>
  new SqsError(
    'UnsupportedOperation',
    `${what} is not supported by the local SQS emulator.`,
    'AWS.SimpleQueueService.UnsupportedOperation',
  );
export const receiptHandleIsInvalid = (handle: string) =>
  new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    'ReceiptHandleIsInvalid',
    404,
  );
export const batchError = (code: string, message: string) =>
  new SqsError(code, message, `AWS.SimpleQueueService.${code}`);
