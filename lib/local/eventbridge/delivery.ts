/**
 * Delivering an event to a rule's targets as EventBridge does: asynchronously, after PutEvents has answered; a
 * failed delivery retried with exponential backoff until the target's RetryPolicy runs out (185 attempts or 24 h by
 * default, as AWS), then sent to the target's dead-letter queue with the attributes AWS sets (RULE_ARN, TARGET_ARN,
 * ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS), or dropped when it has none.
 */
import type { BusEvent, RetryPolicy, RuleSpec, TargetSpec } from './types';

/** How the platform reaches a target by its ARN: a Lambda function, an SQS queue. */
export interface TargetInvokers {
  /** Resolves when the function returned; rejects when it failed (a function error counts as a failure). */
  lambda(functionName: string, payload: unknown): Promise<void>;
  sqs(queueArn: string, body: string, attributes?: Record<string, string>): Promise<void>;
}

export interface DeliveryOptions {
  invokers: TargetInvokers;
  /** The first retry's delay; each next one doubles, up to `maxRetryDelayMs`. */
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  now: () => number;
  onDeadLetterFailure?: (error: unknown, target: TargetSpec) => void;
}

export interface DeliveryStats {
  delivered: number;
  retried: number;
  deadLettered: number;
  dropped: number;
}

const DEFAULT_RETRY: RetryPolicy = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };
/** Unreferenced: a retry waiting does not keep a stopping process alive. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** What the target receives: its constant Input, the part of the event at InputPath, or the event. */
export function payloadFor(target: TargetSpec, event: BusEvent): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input) as unknown;
  if (!target.InputPath || target.InputPath === '$') return event;
  return target.InputPath.slice(2)
    .split('.')
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      event,
    );
}

async function invoke(invokers: TargetInvokers, arn: string, payload: unknown) {
  const [, , service, , , kind, name] = arn.split(':');
  if (service === 'lambda' && kind === 'function' && name) return invokers.lambda(name, payload);
  if (service === 'sqs') return invokers.sqs(arn, JSON.stringify(payload));
  throw new Error(`Unsupported target ${arn}`);
}

/** Delivers one event to one target, retrying; settles once delivered, dead-lettered or dropped. */
export async function deliver(
  rule: RuleSpec,
  target: TargetSpec,
  event: BusEvent,
  options: DeliveryOptions,
  stats: DeliveryStats,
): Promise<void> {
  const policy = { ...DEFAULT_RETRY, ...target.RetryPolicy };
  const firstAttemptAt = options.now();
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      await invoke(options.invokers, target.Arn, payloadFor(target, event));
      stats.delivered++;
      return;
    } catch (e) {
      lastError = e;
    }
    const tooOld = options.now() + delay(attempt, options) - firstAttemptAt > policy.MaximumEventAgeInSeconds * 1000;
    if (attempt >= policy.MaximumRetryAttempts || tooOld) {
      const condition = tooOld ? 'MaximumEventAgeInSeconds' : 'MaximumRetryAttempts';
      return deadLetter(rule, target, event, { error: lastError, condition, attempts: attempt }, options, stats);
    }
    stats.retried++;
    await sleep(delay(attempt, options));
  }
}

const delay = (attempt: number, options: DeliveryOptions) =>
  Math.min(options.retryBaseDelayMs * 2 ** attempt, options.maxRetryDelayMs);

async function deadLetter(
  rule: RuleSpec,
  target: TargetSpec,
  event: BusEvent,
  failure: { error: unknown; condition: string; attempts: number },
  options: DeliveryOptions,
  stats: DeliveryStats,
) {
  const queue = target.DeadLetterConfig?.Arn;
  if (!queue) {
    stats.dropped++;
    return;
  }
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
  try {
    await options.invokers.sqs(queue, JSON.stringify(event), {
      RULE_ARN: rule.Arn,
      TARGET_ARN: target.Arn,
      ERROR_CODE: failure.error instanceof Error ? failure.error.name : 'Error',
      ERROR_MESSAGE: message.slice(0, 1000),
      EXHAUSTED_RETRY_CONDITION: failure.condition,
      RETRY_ATTEMPTS: String(failure.attempts),
    });
    stats.deadLettered++;
  } catch (e) {
    stats.dropped++;
    options.onDeadLetterFailure?.(e, target);
  }
}
