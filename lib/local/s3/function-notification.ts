/**
 * A bucket notification to a function, as S3 invokes one: asynchronously, and again (twice, a second apart
 * here, with backoff in AWS) when the invocation fails, before the event is given up and reported.
 */
import type { S3Event } from 'aws-lambda';
import type { ObjectEventBus, ObjectEventSubscription } from './notifications';

const ASYNC_RETRIES = 2;

export function notifyFunction(
  events: ObjectEventBus,
  filter: Omit<ObjectEventSubscription, 'deliver'>,
  invoke: (event: S3Event) => Promise<unknown>,
  retryDelayMs = 1000,
): () => void {
  return events.subscribe({
    ...filter,
    async deliver(event) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await invoke(event);
        } catch (e) {
          if (attempt >= ASYNC_RETRIES) throw e;
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        }
      }
    },
  });
}
