import { randomUUID } from 'node:crypto';
import { dependencyUnavailable } from '../../shared/errors';
import { logger } from '../../shared/observability';
import type { AnalyticsDeps, ClickEvent } from '../ports';
import type { ClickEventInput } from '../schemas';

/** What the stream carries: the event as sent, plus its id, when it was received, and a normalised time. */
export function stampEvents(inputs: readonly ClickEventInput[], now: Date, newId: () => string = randomUUID): ClickEvent[] {
  const receivedAt = now.toISOString();
  return inputs.map((input) => ({
    ...input,
    eventId: newId(),
    at: input.at === undefined ? receivedAt : new Date(input.at).toISOString(),
    receivedAt,
  }));
}

/**
 * Accepts a validated batch: all of it is on the stream, or the caller is told to retry. A partial
 * success is deliberately not a 202: the contract is all or nothing, and the client cannot tell which
 * events landed, so it resends the batch and consumers drop the duplicates by eventId. (Reporting
 * partial acceptance would make clients resend a subset they cannot identify, or lose events.)
 */
export async function putEvents(inputs: readonly ClickEventInput[], deps: AnalyticsDeps): Promise<{ accepted: number }> {
  const events = stampEvents(inputs, deps.clock.now());
  let failed: ClickEvent[];
  try {
    ({ failed } = await deps.clickstream.put(events));
  } catch (error) {
    logger.error('clickstream write failed', { error: error as Error, events: events.length });
    throw dependencyUnavailable('The clickstream');
  }
  if (failed.length > 0) {
    logger.warn('clickstream records still failing after retries', { failed: failed.length, events: events.length });
    throw dependencyUnavailable('The clickstream');
  }
  return { accepted: events.length };
}
