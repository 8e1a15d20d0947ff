/** A rule target that fails every event it is given: the dead-letter path of test/integration/event-rules.test.ts. */
import type { EventBridgeEvent } from 'aws-lambda';

const store = globalThis as { eventTargetFailures?: number };

export const failures = (): number => store.eventTargetFailures ?? 0;

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  store.eventTargetFailures = failures() + 1;
  throw new Error(`failing-target refuses ${event.id}`);
};
