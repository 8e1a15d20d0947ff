import { randomUUID } from 'node:crypto';
import { dependencyUnavailable, invalid, type ErrorDetail } from '../../shared/errors';
import { testDataMark } from '../../shared/test-data';
import type { AnalyticsDeps, ClickEvent } from '../ports';
import { EVENT_AT_MAX_AGE_HOURS, EVENT_AT_MAX_AHEAD_MINUTES, type ClickEventInput } from '../schemas';

/**
 * The id an event is stored under. With the client's own id it is the same on every resend, so the
 * warehouse (which inserts an event id once) counts a resent batch once; the session is part of it, so two
 * sessions choosing the same id never collide. The separator appears in neither part (a session is a UUID,
 * a client id has no colon), and server-minted ids (bare UUIDs) have none: the three kinds cannot meet.
 */
export const storedEventId = (sessionId: string, clientEventId: string) => `${sessionId}:${clientEventId}`;

/** What the stream carries: the event as sent, plus its id, when it was received, and a normalised time. */
export function stampEvents(
  inputs: readonly ClickEventInput[],
  now: Date,
  newId: () => string = randomUUID,
  testData = false,
): ClickEvent[] {
  const receivedAt = now.toISOString();
  return inputs.map((input) => ({
    ...input,
    eventId: input.eventId === undefined ? newId() : storedEventId(input.sessionId, input.eventId),
    at: input.at === undefined ? receivedAt : new Date(input.at).toISOString(),
    receivedAt,
    ...testDataMark(testData),
  }));
}

/**
 * What the schema cannot check without the clock and the whole batch: every `at` within the window around
 * the server's time, and no client event id twice for one session. All problems at once, by index.
 */
export function checkBatch(inputs: readonly ClickEventInput[], now: Date): void {
  const earliest = now.getTime() - EVENT_AT_MAX_AGE_HOURS * 3_600_000;
  const latest = now.getTime() + EVENT_AT_MAX_AHEAD_MINUTES * 60_000;
  const details: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, i) => {
    if (input.at !== undefined) {
      const at = Date.parse(input.at);
      if (at < earliest)
        details.push({
          path: `events.${i}.at`,
          message: `Must be at most ${EVENT_AT_MAX_AGE_HOURS} hours before the server's time (${now.toISOString()})`,
        });
      else if (at > latest)
        details.push({
          path: `events.${i}.at`,
          message: `Must be at most ${EVENT_AT_MAX_AHEAD_MINUTES} minutes after the server's time (${now.toISOString()})`,
        });
    }
    if (input.eventId !== undefined) {
      const key = storedEventId(input.sessionId, input.eventId);
      const first = seen.get(key);
      if (first !== undefined)
        details.push({
          path: `events.${i}.eventId`,
          message: `Repeats the eventId of events.${first} in the same session`,
        });
      else seen.set(key, i);
    }
  });
  const [first] = details;
  if (first) throw invalid(`Invalid request: ${first.path}: ${first.message}`, details);
}

/**
 * Accepts a validated batch: all of it is on the stream, or the caller is told to retry. A partial
 * success is deliberately not a 202: the contract is all or nothing, and the client cannot tell which
 * events landed, so it resends the batch and consumers drop the duplicates by eventId (stable across
 * resends when the client sends its own ids). (Reporting partial acceptance would make clients resend a
 * subset they cannot identify, or lose events.)
 */
export async function putEvents(
  inputs: readonly ClickEventInput[],
  deps: AnalyticsDeps,
  options: { testData?: boolean } = {},
): Promise<{ accepted: number }> {
  const now = deps.clock.now();
  checkBatch(inputs, now);
  const events = stampEvents(inputs, now, randomUUID, options.testData);
  let failed: ClickEvent[];
  try {
    ({ failed } = await deps.clickstream.put(events));
  } catch (error) {
    deps.log.error('clickstream write failed', { error, events: events.length });
    throw dependencyUnavailable('The clickstream');
  }
  if (failed.length > 0) {
    deps.log.warn('clickstream records still failing after retries', { failed: failed.length, events: events.length });
    throw dependencyUnavailable('The clickstream');
  }
  return { accepted: events.length };
}
