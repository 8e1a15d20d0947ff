import type { ErrorCode } from '../../../functions/shared/errors';

/** A request the edge itself refuses (as API Gateway would), answered in the contract's error shape. */
export class EdgeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Headers the refusal carries (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
