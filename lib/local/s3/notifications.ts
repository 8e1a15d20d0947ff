/**
 * S3 event notifications on the local substrate. s3rver emits each object event in the shape S3 delivers to
 * Lambda (`{Records: [...]}`); here they reach the functions subscribed to a bucket and key prefix, as a
 * bucket notification configuration does in AWS (lib/contexts). A subscriber's failure is reported, never
 * thrown into the emulator: S3 too delivers asynchronously and does not fail the PUT.
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';

export interface ObjectEventSubscription {
  bucket: string;
  /** Only keys under this prefix, as a notification filter; every key when absent. */
  prefix?: string;
  /** `ObjectCreated`, `ObjectRemoved`: the start of the event name, as S3's `s3:ObjectCreated:*`. */
  events: ('ObjectCreated' | 'ObjectRemoved')[];
  deliver(event: S3Event): Promise<unknown>;
}

export interface ObjectEventBus {
  subscribe(subscription: ObjectEventSubscription): () => void;
  /** What s3rver emits, delivered to the matching subscribers. */
  publish(event: S3Event): void;
  /** Resolves once every delivery started so far has settled (tests, a clean stop). */
  idle(): Promise<void>;
}

const matches = (subscription: ObjectEventSubscription, record: S3EventRecord) =>
  record.s3.bucket.name === subscription.bucket &&
  decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')).startsWith(subscription.prefix ?? '') &&
  subscription.events.some((kind) => record.eventName.startsWith(`${kind}:`));

export function objectEventBus(onError: (error: unknown, record: S3EventRecord) => void): ObjectEventBus {
  const subscriptions = new Set<ObjectEventSubscription>();
  const inFlight = new Set<Promise<unknown>>();
  return {
    subscribe(subscription) {
      subscriptions.add(subscription);
      return () => subscriptions.delete(subscription);
    },
    publish(event) {
      for (const record of event.Records) {
        for (const subscription of subscriptions) {
          if (!matches(subscription, record)) continue;
          const delivery = subscription
            .deliver({ Records: [record] })
            .catch((e: unknown) => onError(e, record))
            .finally(() => inFlight.delete(delivery));
          inFlight.add(delivery);
        }
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
