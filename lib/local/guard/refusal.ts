/** Why an internal endpoint refuses a request: each server renders it in its own service's error shape. */
export interface Refusal {
  status: 403 | 415;
  /** The AWS error code (`x-amzn-ErrorType`, `__type`). */
  type: string;
  message: string;
}

export const refusal = (status: Refusal['status'], type: string, message: string): Refusal => ({
  status,
  type,
  message,
});
