/**
 * A rule target for the tests of the platform's rules (test/integration/event-rules.test.ts): it keeps every event
 * it is given, where the test that put the rule reads them (the platform runs targets in the test's process).
 */
import type { EventBridgeEvent } from 'aws-lambda';

type Received = EventBridgeEvent<string, Record<string, unknown>>;
const store = globalThis as { eventTargetReceived?: Received[] };

export const received = (): Received[] => (store.eventTargetReceived ??= []);

export const handler = async (event: Received): Promise<void> => {
  received().push(event);
};
