/**
 * How a replayed checkout really ended. The state machine SUCCEEDs after a compensation too: a declined card
 * or an order that cannot be confirmed is a business outcome the saga handled (refund, release, cancel), and
 * its ExecutionsFailed alarm is kept for what an operator must act on (a compensation that kept failing). So
 * the execution's status alone would report success for a saga that compensated: the outcome is read from
 * the order the saga left and from the execution's output (its failureReason).
 */
export type SagaOutcome = 'CONFIRMED' | 'COMPENSATED' | 'FAILED';

export interface EndedExecution {
  status?: string;
  output?: unknown;
}

export interface StoredOrderState {
  status?: string;
  failureReason?: string;
}

export interface SagaReport {
  outcome: SagaOutcome;
  /** Why it did not end CONFIRMED, when it did not. */
  reason?: string;
  order?: StoredOrderState;
}

const failureReasonOf = (output: unknown): string | undefined => {
  const reason = (output as { failureReason?: unknown } | null | undefined)?.failureReason;
  return typeof reason === 'string' ? reason : undefined;
};

/** CONFIRMED only when the execution succeeded, no failure was recorded and the stored order is CONFIRMED. */
export function sagaOutcome(execution: EndedExecution, order: StoredOrderState | undefined): SagaReport {
  const failureReason = failureReasonOf(execution.output) ?? order?.failureReason;
  if (execution.status !== 'SUCCEEDED')
    return { outcome: 'FAILED', reason: `execution ${execution.status ?? 'UNKNOWN'}`, order };
  if (failureReason !== undefined || order?.status === 'CANCELLED')
    return { outcome: 'COMPENSATED', reason: failureReason ?? 'order CANCELLED', order };
  if (order?.status !== 'CONFIRMED')
    return { outcome: 'FAILED', reason: order ? `order left ${order.status}` : 'order not found', order };
  return { outcome: 'CONFIRMED', order };
}

/** The replay's exit code: 0 only for a checkout that ended CONFIRMED. */
export const exitCodeOf = (report: SagaReport): number => (report.outcome === 'CONFIRMED' ? 0 : 1);
